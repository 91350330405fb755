"""Ordinary social-media posts (issue 12: at most 5 in 10,000 flagged by any rule).

Twenty-five files of hand-written everyday posts, all labelled `[]`, written blind (the writers read
rules.md only, never the lexicons or the analyzers), most of them with an everyday use of a word
of finance-risk talk (跑路 for a gym owner, 爆雷 for a spoiler, 稳赚 for an exam, 现金红包 for a
lottery, 无法提现 for game coins):
- ordinary.jsonl (720 posts, tuned on);
- ordinary_heldout.jsonl (160): measured blind until 2026-12-02, when its failures were read
  and fixed; tuned on since;
- ordinary_heldout2.jsonl (500, 61% with such a word): measured blind until 2026-12-02; two of
  its failures (a beauty salon's and a supermarket's 卷款) were read in session 6 and fixed in
  session 7 with the consumer-venue words of 跑路;
- ordinary_heldout3.jsonl (500, 61% with such a word, other writers, 2026-12-02): measured
  blind once, 14 flagged; six classes of its failures were then fixed (失联 and 卷款 of a
  consumer business, a gym's 拉人头, a fan club's 资金池, 体验金币 of a card game, 冰箱清盘, a
  police talk 经侦讲座; then a driver's 跑路 after an accident, a second-hand seller's 失联, a
  board game's 清盘, a family's 资金池), none of which changed a candidate among the real train
  posts, and the reposter of a repost chain (//@name:) taken for the platform; 5 remain, 4
  after the fourth file's fixes;
- ordinary_heldout4.jsonl (500, 60% with such a word, comment-section and community-site
  styles, other writers, 2026-12-02): measured blind once, 12 flagged (keyword list 161); then
  a consumer business's trouble (only everyday or generic trouble words, a consumer business
  named, no word of finance besides: 婚庆公司 跑路 and 报警), someone's words in quotation marks
  (博主说'定投不会亏') and a car's 零首付 were fixed, with no candidate among the real train
  posts changed; 6 remain;
- ordinary_heldout5.jsonl (500, 60% with such a word, livestream and short-video comments,
  local forums, reviews, history and economics lessons, other writers, 2026-12-02): measured
  blind once, after the fixes above, 6 flagged (keyword list 160); then 清盘 joined the everyday
  trouble words (工资清盘, 欢乐豆清盘) and 保本的买卖 is breaking even; 3 remain;
- ordinary_heldout6.jsonl (500, 60% with such a word, other writers, 2026-12-02): measured
  blind once with the final rules and model of session 7, 10 flagged (keyword list 136), and
  left as it is, so that its count stands for the analyzers as shipped (4 fundraising_signal:
  two 资金池 jokes, 静态收益 of an idle game, 以房养老 of renting out a flat; 3 guaranteed_principal:
  零风险 and 兜底 jokes, a health-product seller's 零风险; 1 promised_return; 2 public_risk: a
  labour case 立案, a theft 报案); its failures were read in session 8, so it is tuned since;
- ordinary_heldout7.jsonl (500, 60% with such a word, other writers, 2026-12-02): measured
  blind once in session 8, with the analyzers of session 7 (26 flagged) and with the new ones
  (6 flagged: a post's one everyday offer word needs a post that offers, and one everyday
  trouble word with no word of money needs more than a 老板 to make a financial firm); its
  failures were then read (不碰配资 is a refusal, a claw machine's 体验金, a canteen's 内部认购),
  and it is tuned since;
- ordinary_heldout8.jsonl (500, 60% with such a word, other writers, some Cantonese, 2026-12-02):
  measured blind once in session 8 after the fixes above, 11 flagged (24 with the analyzers of
  session 7); then a bonus or a day off 延期兑付, leaving a dinner (良性退出 of a 饭局), Cantonese
  唔 and 冇 as negations, a bakery's 消费返还, and 今晚 as no name were fixed; 5 remain, 4 after
  经侦 in a drama was fixed with the tenth file;
- ordinary_heldout9.jsonl (500, 60% with such a word, other writers, 2026-12-02): measured
  blind once in session 8 after all the fixes above, 9 flagged (28 with the analyzers of
  session 7); then 配资 must be a word (搭配|资深, 配|资料), 首付分期 of a phone, 代收代付 of a
  household's bills, 无法 in no name, and 给你 is no offer cue; the last one, a POS sales call
  turned down, went with someone else's pitch reported (在推销, 推销电话: quoting);
- ordinary_heldout10.jsonl (500, 60% with such a word, other writers, 2026-12-02): measured
  blind once after all the fixes above, 9 flagged (34 with the analyzers of session 7; keyword
  list 224); then a lexicon name that is a dictionary word (存钱罐) needs a firm word by it, and
  良性退出 ordered by a 群主 is leaving a chat; 7 remain, and it is tuned since;
- ordinary_heldout11.jsonl (500, 60% with such a word, other writers, 2026-12-02): measured
  blind once with the final analyzers of session 8, 11 flagged (27 with the analyzers of
  session 7; keyword list 219), and left as it is, so that its count stands for the analyzers
  as shipped (稳赚 of a barbecue's name and of a claw machine's owner, 经侦剧, a hostel's
  推荐返利, 保本保息 of money lent in a family (twice) and of a child's 压岁钱, 拉人头 of a fan
  club, a reunion dinner turned sales pitch, 首付贷 borrowed from parents, 配|资源 of a game
  guild, 静态收益 of a card game); its failures were read in session 9 (an offer word inside
  another found with it is one word, 一份 is no offer cue, 保本保息 and 保息 are everyday offer
  words, 宝 running on into 宝石 ends no brand, 配|资源, 经侦剧), 4 remain, and it is tuned since;
- ordinary_heldout12.jsonl (500, 60% with such a word, other writers, 2026-12-02): measured
  blind once in session 9 after the eleventh's fixes, 10 flagged (keyword list 223); then
  良性退出 joined everyday_events (a breakup), 先行赔付 everyday_offers (a parcel), 门槛 is a cue
  only as an investment's (低门槛, not 无门槛券), and an actor's 经侦 role (演的, 饰演); 6 remain
  (a game studio gone silent, three rate jokes, 配资 of a shared purchase, a guild's 拉人头), 5
  after the thirteenth's fixes;
- ordinary_heldout13.jsonl (500, 60% with such a word, other writers, 2026-12-02): measured
  blind once in session 9 after the twelfth's fixes, 11 flagged; then a rate of change is no
  return (年化增长率, 年化跌了: rates.not_returns), a pattern over an everyday offer word's own
  words is the same word (收益翻倍), a drama's 上访 and a novel's 延期兑付 (章节, 加更); 5 remain
  (拉人头 of a bargain link and of a football match, 躺赚 of a trip and of a game, an intern's
  兜底), all with a word that speaks to readers (朋友们, 跟着, 这个项目, 链接, 私我);
- ordinary_heldout14.jsonl (500, 60% with such a word, longer posts of forums and of middle-aged
  writers, 2026-12-02): measured blind once after the thirteenth's fixes, 9 flagged (11 with
  the analyzers of session 8; keyword list 225); then a household's 资金池 (合租, 室友), a club's
  拉人头 (社团, 凑够), a boyfriend's 延期兑付, a 饭馆's 保本, and 才能 in no name (金币满10块才能提现)
  were fixed; 4 remain (保本 and 保息 of a work-life pun, 年化回报率 of a fishing rod, 躺赚——躺着赚,
  a sister-in-law's "消费全额返还"), and it is tuned since;
- ordinary_heldout15.jsonl (500, 60% with such a word, comment sections, chats and reviews,
  2026-12-02): measured blind once with the final analyzers of session 9, 12 flagged (15 with
  those of session 8; keyword list 220); then 静态收益 and 动态收益 (the same last two characters)
  are one offer word said twice unless a referral scheme is pitched (推荐), a rate of change
  may name its change right before the keyword (涨幅年化), a tutoring class is a consumer
  business, 失联 of a dorm's network (断网), a story's 拉人头, 发展下线, 报警, 传销 and 诈骗 (小说,
  爽文, 主角), a mall's 消费全额返还购物券; 6 remain, and it is tuned since;
- ordinary_heldout16.jsonl (500, 60% with such a word, village and county life, relatives'
  groups, and people whose work is near finance (tellers, accountants) talking of their day,
  2026-12-02): measured blind once with the final analyzers of session 9, 7 flagged; then a
  negation may bridge over 什么 (这不是什么资金池), public matching funds are no 配资 (县里配资一半，
  村里自筹一半), a game's 跑路 (打野), a dance troupe's 拉人头 (比赛, 广场舞), 高收益 of a habit or a
  hobby, 第二天 is no period before 翻倍, and 讲, 最后, 家里 are in no name (天天讲|发展下线,
  最后家里|报警); 0 remain, and it is tuned since;
- ordinary_heldout17.jsonl (500, 60% with such a word, trending-topic comments, diaries,
  second-hand groups, and talk of scams, police and court cases with no financial firm in them,
  2026-12-02): measured blind once after the sixteenth's fixes, 5 flagged; then a labour
  dispute's trouble (劳动监察, 劳动仲裁, 工人: an employer, not a financial firm), residents'
  上访 against their 物业, a parent's 配资 for a car, a game night's 拉人头 (剧本杀, in its
  sentence); 2 remain (拉人头 and 众筹买房 told sentences away from the game and the toy that
  explain them), 1 after the eighteenth's fixes (a short post is one context for the words
  that give an offer term its everyday sense), and it is tuned since;
- ordinary_heldout18.jsonl (500, 60% with such a word, shop owners, landlords, the elderly,
  traditional characters, and people's own money talk that names no platform: a mortgage, bank
  savings, a family debt, history lessons, 2026-12-02): measured blind once after the
  seventeenth's fixes and those of the ninth offer file, 11 flagged (11 with the analyzers of
  session 9 too); then a salesman's pitch told (劝我们发展下线), a refusal or a fright after an
  offer (我直接拒了, 我吓一跳), 存银行最保本, a referral bonus for a job (内推, 入职), and a short
  post read as one context; 6 remain (a novel's 资金池, two histories of interest rates, an egg
  bargain's 稳赚, a friend's question about 配资, a POS giveaway that took in a father), and it
  is tuned since;
- ordinary_heldout19.jsonl (500, 60% with such a word: scams and collapses of no financial firm,
  civil cases, web novels, and very short jokes in finance jargon, 2026-12-02): its second half
  measured blind after the eighteenth's fixes (7 flagged), its first half after the second
  half's and the tenth offer file's fixes (3 flagged; 9 in all with the analyzers of session
  9); then a team's or a school group's 兜底 (组长, 背锅), a love affair's 清盘, a story's
  doubling (种田文), and a bare numeral after a rate word must be written as a number is
  (保底歪了个七七 is no 77%); 5 remain, and it is tuned since;
- ordinary_heldout20.jsonl (500, 60% with such a word, a dozen kinds of writers, with offer-like
  phrasing for goods and services that are not finance, 2026-12-02): measured blind once with
  the offer gate (below) trained on all the files above, 4 flagged (8 without the gate, 9 with
  the analyzers of session 9); then 保本卖, a phone's 零风险 after 验货, a household's 清盘; 1
  remains;
- ordinary_heldout21.jsonl (500, 60% with such a word, over thirty kinds of writers, goods with
  contact details, jokes in investment jargon, 2026-12-02): measured blind once with the offer
  gate trained on all the files above, 5 flagged (9 without the gate, 9 with the analyzers of
  session 9); then a fruit seller's 零风险 (包赔, 坏果, 不甜); 4 remain (a dog's 每日收益率, a
  mood's 年化, a bird net taken for a ××网 platform, 被骗进|传销 taken for a name);
- ordinary_heldout22.jsonl (500, 60% with such a word: mothers' groups and parents' chats; game
  and sports forums, 2026-12-02) and ordinary_heldout23.jsonl (500, the same: older people's
  family groups and forwarded warnings; working people, lawyers' assistants and news comments
  on non-financial crime): measured blind once in session 11 with the final analyzers of
  session 10, 4 and 2 flagged (keyword list 172 and 169); then a rate of losses is no return
  (年化逾期率: rates.not_returns) and a class's or a club's 代收代付 (班费, 会费); 2 and 2 remain
  (a piggy bank's 提现困难, a class's 集体上访, a buffet's 稳赚, a shop's 经侦 立案);
- ordinary_heldout24.jsonl (500, the same: fan clubs, dramas and novels; neighbourhood groups,
  farmers and local news, 2026-12-02): measured blind once with the final analyzers of session 11
  (the gate trained on all the files above), 3 flagged (3 with those of session 10; keyword list
  139): a drama's 经侦 and 非法集资, a drama's company 爆雷, a carpool's 拉人头 with a phone number;
  then a short post about a drama or a novel tells a plot (fiction: only a lexicon name is a
  platform there); 1 remains.
- ordinary_heldout26.jsonl (500, 60% with such a word: lifestyle notes of parents, cooks, renters
  and pet owners; game, sports and car forums, 2026-12-03) and ordinary_heldout27.jsonl (500,
  the same: family, neighbourhood and class-parents' chat groups with dialect; answers and news
  comments about work, law school, history, fandom and campus life): measured blind once in
  session 12 with the final analyzers of session 11, 3 and 5 flagged (keyword list 171 and 172):
  a refused 首付贷, a dorm's joke 寝室金服, a crime drama's 经侦 by a name ending in 收网, a
  parents' committee's 代收代付 for a spring outing, a history book's 集体上访, and three quoted
  words taken for names (“非法占有目的”, “合作养猪”, “打投”). Then a word in quotation marks is
  no name unless it is brand-shaped, stands by a firm word or holds a lexicon name (in the
  train split every quoted name was so); the nets of everyday speech (收网, 渔网, 蜘蛛网) end
  no ××网 name; a parents' committee's or an outing's 代收代付 is a class's bill. 3 remain
  before the gate is retrained on them (the 首付贷, the dorm joke, the history book).
- ordinary_heldout28.jsonl (500, 60% with such a word: trending-topic comments, dramas, fan
  clubs and jokes in finance jargon; a small city's forums with Cantonese, 2026-12-03) and
  ordinary_heldout29.jsonl (500, the same: workplaces, failed start-ups, exam candidates; students'
  comments, games and memes): measured blind once in session 12 after the fixes above, 6 and 7
  flagged (the first half of the twenty-eighth: 0 with the lesson frame below; keyword list 194
  and 194): jokes that give a rate to a hairline, looks or a mahjong hand (年化后退15%, 颜值年化
  收益率百分之三百, 堪比日息1%的复利), a drama that is "like a Ponzi scheme", exam candidates'
  集资诈骗罪 and 集体上访, a Hong Kong firm's 清盤 of wages, homeowners' 维权群, a stolen game
  account's 报警立案, a police video's 经侦. Then a short post about studying (lesson: 考研, 申论,
  历史课, 刑法分论) names no platform by a plain context name, and a rate that recedes (后退,
  减少) is no return; 5 and 5 remain.
- ordinary_heldout30.jsonl (500, 60% with such a word: livestream and short-video comments;
  hobby forums and groups, 2026-12-03) and ordinary_heldout31.jsonl (500, the same: people's own
  money in everyday terms; news comments and forwarded notices on non-financial events):
  measured blind once with the final analyzers of session 12, 1 and 0 flagged (1 and 0 with
  those of session 11; keyword list 180 and 204): a board game's 杠杆 and 清盘. Not tuned.
- ordinary_heldout32.jsonl (500, 60% with such a word, 220 posts with Latin letters: pinyin
  slang and abbreviations, words typed half in pinyin, English code-switching, user names and
  model numbers, 2026-12-03): measured blind once after the terms of rules 1-8 were matched
  with pinyin mixed in, 3 flagged, none of them by a pinyin spelling (3 with the analyzers of
  session 11; keyword list 165): a grandmother who will call the police, a murder-mystery
  game's 非法集资, a werewolf group named 狼人杀金服. Not tuned.
(The twenty-fifth file of session 11, measured blind once at 2 flagged, was lost with that
machine before it was committed.)
Since session 10 every file here is also training data of the offer gate
(analyzers/offer_gate.py, scripts/train_offer_gate.py), which drops a post's rules 1-8
findings when it scores the post as no offer: the counts below are in-sample. The gate's own
measures came before each file was trained on: trained on the first fifteen files and the first
six offer files, it kept 9 of the 26 rules 1-8 findings the session-9 analyzers gave on the
sixteenth to nineteenth files and 681 of the 688 offers they found in the seventh to tenth
offer files; on the twentieth file and the eleventh offer file, measured once, 4 of 8 and 183
of 183; on the twenty-first and the twelfth, 5 of 9 and 183 of 183.
They are dense with traps by design (a keyword list flags 32% of the second file, 45% of the
third, 32% of the fourth and of the fifth, 27% of the sixth), so their rates are far above what
an ordinary stream of posts gives; the ceilings here are the measured counts, so that no change
makes more ordinary posts findings unnoticed (benchmarks/quality.py prints the figures).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzers import Analyzer
from analyzers.evaluate import engine_text_predictor, load_jsonl

CORPUS = Path(__file__).resolve().parents[2] / "tests" / "corpus"
# measured on 2026-12-02 (session 6): 0 of 720, 2 of 160, 2 of 500; before that session's rules
# (a post's offer must name what it offers; a plain name with only everyday trouble words needs
# a word of finance) 23 of the 500 tuned posts and 20 of the 500 blind ones were flagged.
# Session 7: 2 of 500 in the second file (one of the two is another post), 4 of 500 in the third,
# 6 of 500 in the fourth, 3 of 500 in the fifth, 10 of 500 in the sixth (measured once, not tuned)
# Session 8: 1 of 160, 1, 1, 3, 0, 0 of 500; the seventh file 6 of 500 blind, 1 after its fixes;
# the eighth 11 blind, 4 after its fixes; the ninth 9 blind, 0 after its fixes; the tenth 9
# blind, 7 after its fixes; the eleventh 11 blind, not tuned
# Session 9: the tenth 5 and the eleventh 4 after the eleventh's fixes; the twelfth 10 blind,
# 6 after its fixes (5 after the thirteenth's); the thirteenth 11 blind, 5 after its fixes; the
# fourteenth 9 blind, 4 after its fixes; the fifteenth 12 blind, 6 after its fixes (the tenth 4
# and the eighth 3 after them)
# Session 10: the sixteenth 7 blind, 0 after its fixes (the twelfth 4 and the fifteenth 5 after
# them: a household's 配资); the seventeenth 5 blind, 2 after its fixes (1 after the
# eighteenth's); the eighteenth 11 blind, 6 after its fixes; the nineteenth 10 blind, 5 after its
# fixes (the thirteenth 4 after them); the twentieth 4 blind with the offer gate (8 without), the twenty-first 5 (9 without).
# Session 11: the twenty-second 4 blind, the twenty-third 2, the twenty-fourth 3 (final analyzers).
# Then the offer gate, trained on all of them (in-sample), and the story frame: the counts below,
# 26 of 12,380 posts.
# Session 12: the twenty-sixth 3 blind, the twenty-seventh 5 blind (final analyzers of session
# 11); then scare quotes, everyday nets, a class's 代收代付, and the gate retrained on all of them:
# 27 of 13,380 posts. The twenty-eighth 6 blind (oh28a, with those fixes) and 0 (oh28b, with the
# lesson frame below), the twenty-ninth 7 blind (with those fixes; 3 and 4 of 250); then a
# lesson's plain names (lesson), a rate that recedes (后退, 减少), and the gate retrained on all
# (threshold 0.22 -> 0.18): 41 of 14,380 posts (37 with the gate before). The thirtieth and
# thirty-first 1 and 0 blind with those final analyzers (not tuned); the gate retrained on them
# and the fourteenth offer file: 40 of 15,380 posts. The thirty-second 3 blind with pinyin
# mixed into the terms of rules 1-8 (none of the 3 from it; 3 with the analyzers of session 11);
# the gate retrained on it (threshold 0.19): 42 of 15,880 posts.
# Session 13: the thirty-third 3 blind (2 of 250 elderly and village voices, 1 of 250 small
# business owners); then 集体上访 an everyday event, a refused 首付贷 (没碰, 不敢碰) and the gate
# retrained on it (threshold 0.19 -> 0.2): 1 of 500; 39 of 16,380 posts. The thirty-fourth
# (parents and teachers; health, fitness and sport) 0 of 500 blind, with those analyzers and with
# the final ones of session 12; then the gate retrained on it (threshold 0.2 -> 0.18): the counts
# below, 40 of 16,880 posts. The thirty-fifth (travel and food; finance-adjacent digital life)
# 2 of 500 blind (the same 2 with the final analyzers of session 12); then a 流失率 is no return:
# 1 of 500 (a market's 消费全额返还 a grandmother nearly fell for, left: it reports a real pitch);
# the gate retrained on it (threshold 0.18 -> 0.21): 38 of 17,380 posts. The thirty-sixth
# (true-crime and police news comments; migrant and factory workers) 5 of 500 blind (the same 5
# with the final analyzers of session 12); then a police station's outreach (name_stop 派出所,
# 宣传), reading a novel (fiction 一本小说, 年代小说, ...) and a lesson's 必考 and 刑法老师: 2 of
# 500. The gate retrained on it (threshold 0.21 -> 0.17, the offers unchanged) keeps 8 more
# everyday posts' rules 1-8 findings: the counts below, 46 of 17,880 posts.
# Session 14: the thirty-seventh (housing, renting, cars; shopping, second-hand trading, weddings,
# pets) 0 and 2 of 250 blind with the analyzers of 441f0de (the same with those of session 13):
# a wedding studio's customers' 维权群 (a consumer's trouble: 维权群 unless consumer_venues) and
# a small 网店 gone (name_stop). The thirty-eighth (stock forums; SMS) 11 and 0 of 250 blind (11
# with those of session 13 too): a listed company's 立案, 逾期 and 年报 (stock_market: a short
# post about trading shares names no platform by context; name_stop 上市公司), a crackdown on and
# a loss through 场外配资 told (warning 严查, 查得严, 清理, 教训, 赌博, 亏光, 倒欠), 两融's rate (a
# loan's price: borrowing) and one's own gains since buying (own_result 我买入, 账户收益): 1 of
# 500 after. With the gate retrained on both (threshold 0.17 -> 0.21) and the opinion model
# retrained (two train negatives are no candidates now; threshold 0.89 -> 0.885, and a canteen's
# 爆雷 is no trouble: unless 食堂, 饭菜), the counts below: 40 of 18,880 posts.
# The thirty-ninth (stock-forum comment threads; longer investing-forum posts), written after
# those changes: 0 and 7 of 250 blind with the analyzers of that moment (4 and 12 with those of
# 441f0de and of session 13): the rest of a listed company's news (name_stop 公告, 董秘, 债权人,
# 估计; stock_market 股价, 商票), one's own rules and results (own_result 我的做法, 晒一下, 我试过,
# 总收益率, 止盈), 爆仓 and 被强平 told, words named as words (quoting 这种词): 2 of 500 after. The
# gate retrained on it (threshold 0.21 -> 0.17, as in session 13) keeps 5 more jokes with rates:
# the counts below, 45 of 19,380 posts.
# The fortieth (fund bars and Weibo posts on stocks and funds; readers' comments under finance
# news), written after those changes: 8 and 3 of 250 blind with the analyzers of 129f201 (12
# and 3 with those of session 13): fragments of what a listed company did (name_stop 违约, 造假,
# 宣告), a margin loss (赔进去), one's own fund (我拿的, 年度账单, 全年收益), a bank manager's words
# (经理说), a campaign's 非法集资的危害 (excluded like 非法集资的风险): 4 of 500 after. The gate
# retrained on it (threshold 0.17 -> 0.16): the counts below, 50 of 19,880 posts.
# Session 15: the forty-first (200 posts: short-term traders, Q&A on personal investing, family
# chats, futures traders, bank customers) 2 of 200 blind with the analyzers of d96fb3e (8 with
# those of session 13): a week's trades reviewed (own_result 复盘, 笔交易) and a past margin
# account refused (warning 拉黑, 差点没了). The forty-second, written after those fixes: stock
# forums 3, fund and savings customers 1, personal money and debt 1 of 250 blind (the same with
# the analyzers of d96fb3e): a class fund or a club's dues called '非法集资' in quotation marks (a
# word named by 称为, 叫做: engine._named_as_word), a film's ending (fiction 电影《, 老电影), the
# price of 借呗 (borrowing 借呗, 花呗, 还清). 0 of 950 after. The gate retrained on both
# (threshold 0.16 -> 0.15) lets a milk-tea loyalty card's "年化10%" through; a dormitory's 人肉
# 代收代付 (unless 份子, 人肉) and an anti-配资 long post (拉黑) no longer count: 49 of 20,830 posts.
# The forty-third, written after those changes (stock and fund talk in family chats and short-
# video comments; gold, futures, coins and collectibles; students and young office workers): 2,
# 1 and 1 of 250 blind with the analyzers of e8b276d (the same with those of d96fb3e): a news
# programme's crackdown and a comparison taken for names (name_stop 新闻联播, 新闻, 打击, 堪比,
# 好比, 好像, 就像), a video's pitch reported (quoting 说什么; warning 全是托, 都是托), parents who
# would never touch a 首付贷 (绝对不碰). 0 of 750 after. With the opinion model retrained (one train
# negative, "故事堪比小说", has no candidate now; threshold 0.885 -> 0.895) and the gate retrained
# (threshold 0.15): 47 of 21,580 posts.
# The forty-fourth, written after those changes (stock investors on 雪球 and 股吧; bank and fund
# customers and savers; day traders and their trading groups): 1, 0 and 7 of 250 blind with the
# analyzers of d1a740b (1, 1 and 7 with those of d96fb3e): pitches received and shut out (quoting
# 弹出, 推送, 有人加我, 有个号, 私信我“), goods bought in-house (内部认购 unless 月饼, 周边, 团购 ...),
# a teacher in the class chat group (name_stop 家长群, 班级群, 群里 ...), a household's money
# passing through (代收代付 unless 就是个, 我家, 我们家). With the gate retrained on it (threshold
# 0.15), "三倍杠杆的自信，零倍杠杆的钱包" and a milk-tea card's 年化10% no longer count, and the
# in-house goods of two older files neither: 44 of 22,330 posts.
# The forty-fifth, written after those changes (short-term and futures traders; stock-forum
# comments under listed companies' news; personal-finance explainers): 4, 3 and 3 of 250 blind
# with the analyzers of b458fee (the same with those of d96fb3e): pitches received by text, in
# an advert, in a family chat or as a question (quoting 短信:“, 群里发“, 问我“, 有人喊; warning 屏蔽,
# 封锁, 退群, 是坑), 配资 declined (negation_bridge 用: 为啥不用配资), a listed company's pledges
# and results (stock_market 股权质押, 质押爆仓, 业绩), dramas (fiction 看《, 追《, 追的剧), a disk
# wiped (清盘 unless 电脑, 硬盘 ...), a friend's ex (name_stop 闺蜜, 前任, 建议 ...). Tried and
# left out: 别理 (特别理解) and 别去 (你别去银行了，我这儿有个代付通道) cost offers; 质押 alone
# (汽车质押借款) and 大结局 (期待调查大结局) cost train trouble posts their candidates. 0 of 750
# after; with the gate retrained (threshold 0.15) the market's "消费全额返还" someone shouted and
# a friend's 十倍杠杆 futures trade no longer count: 42 of 23,080 posts. Then a post that only
# quotes a pitch it received, in its own words calling nobody, gives no rules 1-8 finding
# (engine._others_words): everyday posts with findings before the gate 194 -> 182, offers the same.
# The forty-sixth, written after that (A-share investors; futures, forex and gold traders; family
# money talk): 2, 4 and 1 of 250 blind with the analyzers of b53bce3 (2, 6 and 1 with those of
# d96fb3e): a novel's loan shark (borrowing 放贷), friends who never got over 2015 (warning
# 没缓过来), a mother's rules (的不买, 更不买), a text message deleted (quoting 收到一条短信;
# warning 别点链接), a claw machine's owner as the real winner (稳赚 exclude 才是稳赚), 谢谢不用.
# Tried and left out: 见过太多 (a broker's pitch opens with it). Left: a child's homework "年化20%"
# compared with his father's futures. 43 of 23,830 posts (gate threshold 0.15).
# The forty-seventh, written after all that (retail stock investors; day traders and futures;
# trending-topic comments): 4, 2 and 1 of 250 blind with the analyzers of 638f21a: a self-styled
# trader's pitch (warning 自称), a stranger's (quoting 陌生人加我), the police in a housing estate
# (name_stop 小区; also an estate's 业主维权群 of the twenty-ninth), series about the police
# (fiction 看了部, 一部讲, 反诈剧). Left: a loan app's 日息万分之五 worked out to a year, and "又有人
# 私信问我要不要配资" (问我要不要 would cost two offers that tell of being asked). 44 of 24,580.
# The forty-eighth (stock investors; futures and options traders; 500 posts), measured once with
# the analyzers of cb4f81e: 2 and 1 of 250. Fixed by class: a refusal told in the headline
# (warning 我拒绝), an agent walked out on (走人), a sales script translated (quoting 话术). The
# file is not in the corpus: with it, the gate's grouped folds change and its threshold falls
# 0.15 -> 0.11, letting 10 more of these posts through.
# The forty-ninth (stock and fund investors; futures traders), measured once with the analyzers
# of 3a6f615: 2 and 1 of 250, all one class with 47's "私信问我要不要配资": someone's pitch told
# without quotation marks, then the poster's answer (我说, 我回). A word list would not end it
# (问我要不要 costs offers), so a post whose every offer lies between a verb of speaking to the
# poster and the poster's answer is judged like a quotation (engine._reported_speech): 0 and 0
# after, everyday posts with findings before the gate 203 -> 197, offers the same; 43 of 24,580.
# Then the gate's threshold is chosen on six shuffled assignments of files to folds, pooled
# (scripts/train_offer_gate.py): 0.13, with and without the forty-eighth file, where the one
# unshuffled draw had swung 0.15 -> 0.11. The forty-eighth and forty-ninth files join the corpus;
# at 0.13 a milk-tea card's 年化10%, a game guild's 拉人头 and "三倍杠杆的自信" pass the gate
# again: 43 of 25,580 posts.
# The fiftieth (1,000 posts: futures and crypto traders; stock and fund investors; shop owners;
# young people's money and their parents), measured once with the analyzers of 412ebca: 3, 2, 2
# and 2 of 250. Fixed by class: pitches told without 我 (同事问…), asked again (被问), pushed
# (一直推), answered by auto-reply (回复：) or by the family (我爸当场说) (engine._reported_speech);
# a game's dungeon (稳赚 unless 副本, 金币); self-improvement's 每天进步1% (not_returns 进步, 退步);
# a fan club's accounts (代收代付 unless 后援会, 公示); 众筹买房？不是，是… Left: a pitch whose word
# the poster throws back in the answer (我回保本的项目你私信陌生人？), and a dog that chewed a
# wallet, "真·钱包爆雷" (真 in name_stop would cut the real 真融宝). With the file in the corpus
# the gate's threshold stays 0.13: 44 of 26,580 posts.
# The fifty-first (1,000 posts: A-share investors; futures, forex and crypto traders; comments
# under finance news; family chats of the middle-aged and retired), measured once with the
# analyzers of c29b64c: 3, 4, 4 and 3 of 250, seven of them public_risk. Fixed by class: a
# telling that starts at the inbox (私信里…有人问) and one answered by blocking (拉黑); a
# comparison, 比配资还黑 (engine._compared); condolences to the liquidated (warning 节哀);
# 哪有什么首付贷 (negation 哪有, 哪来); a loan shark's 日息 (borrowing 高利贷); 首付贷我们不碰 (们不碰,
# 咱不碰, 我不碰); a fan's 良性退出 (unless 追星, 饭圈 ...). With the file in the corpus the gate's
# pooled threshold fell 0.13 -> 0.11 (37.7 of 220 everyday posts kept); KEEP 0.997 -> 0.996
# makes it 0.15 (27.2 kept, 3.5 more of 2,828 offers lost): 48 of 27,580 posts.
# An opinion model trained on the blind finance posts too (tests/corpus/finance_posts.jsonl)
# flagged a dormitory's "零食资金池" as public_risk in four files: 资金池 there takes the kitty
# words of rules 1-8 (unless &kitty). That model was dropped (docs/analyzers.md).
# The fifty-second (1,000 posts: stock investors; futures, options, gold and crypto traders;
# everyday life with no investing; bank, fund and insurance customers), measured once with the
# analyzers of 247feb2: 1, 8, 1 and 0 of 250 - eight in the traders' file. Fixed by class:
# 别配资 (negation 别), 一根阴线教我做人, 老板画的饼, 本金全没了, 讲个真事当警示, 十个有九个,
# 新手问题, 求解释 (warning); a week's own P&L (own_result 本周收益, 回撤); 快乐的年化收益率
# (not_returns); a pitch told after 私信我: (engine._reported_speech). Left: the answer that
# calls the pitcher 您 (an offer cue). With the file in the corpus the gate's threshold is 0.13:
# 50 of 28,580 posts.
# The fifty-third (1,000 posts: stock investors; traders; young office workers and students; shop
# owners and the retired), measured once with the analyzers of 7aad98e: 1, 1, 1 and 2 of 250;
# at beb248e 2, 1, 2 and 2. Fixed by class: no platform's name before 叫 (私房钱叫非法集资), in a
# verb phrase (最喜欢经侦支队), in 网购 or in 偷钱包, nor in a crime drama's plot (刑侦剧);
# 配资 in a web novel's plot. Left: a wife's 零风险、保本 card, a long warning story whose moral
# names no warning word.
# The fifty-fourth (1,000 posts: stock investors; traders; everyday life with no investing; shop
# owners, drivers and the retired), measured once with the analyzers of a0f30fd: 5, 6, 0 and 0
# of 250. Fixed by class: pitches in single quotes, a call received (又是…电话), the inbox
# without 我 (私信有人问), the answer that echoes the pitch (engine._others_words); a loss told
# (本金就没了, 亏掉一半), a backtest (回测, 实盘), someone's 晒月收益 (own_result); a parcel
# station's 代收. Left: the answer that asks the pitcher why he 私信我 (a call to be messaged).
# With both files in the corpus the gate's threshold stays 0.13: 51 of 30,580 posts.
# The fifty-fifth (1,000 posts: A-share and fund investors; futures, forex, gold and crypto
# traders; the middle-aged and retired; young people), measured once with the analyzers of
# 67ed47c: 2, 3, 0 and 1 of 250, four of them public_risk. Fixed by class: 经侦 as a career
# (考上, 分到, 想去), the police's anti-fraud app (反诈, name_stop), a name found by context
# that ends in a dictionary word the lexicon holds (小猪存钱罐), the inbox right before a
# quotation (私信我"…"). Left: a year-end list of plans 逾期. 49 of 31,580 posts.
# The fifty-sixth (1,000 posts: stock and fund investors; traders; office workers, parents and
# students; villagers, shop owners, riders and the retired), measured once with the analyzers
# of c1025cb and an opinion model retrained on its candidates: 0, 0, 2 and 1 of 250. Fixed by
# class: a game's bank (in_game), a child's money kept by a parent (unless 压岁钱, 零花钱,
# 存钱罐), a pet named like a platform (pets). Retrained on this session's candidates, the
# opinion model's 0.8% false-alarm budget went back to the model (the rules now stop some of
# the train split's false alarms themselves): threshold 0.87 and 71 of 32,580 ordinary posts.
# TARGET_FP 0.7% kept it at 0.905 (scripts/train_opinion_model.py): 48 of 32,580 posts.
# The fifty-seventh (1,000 posts), measured once with the analyzers of 6e86dd0: 0, 2, 1 and 0
# of 250: a pitch told after 有人推荐 (engine._reported_speech); 剧本杀's role and a mother's
# 非法集资 joke, left (changing the candidates moved the model's threshold again). The grouping
# of copies named its groups in hash order, so training was not deterministic (0.89-0.905);
# with groups named by their first row it is, and TARGET_FP 0.65% gives 0.9: 49 of 33,580.
# The fifty-eighth (1,000 posts), measured once with the analyzers of 55fea18: 0, 1, 3 and 1 of
# 250. Fixed by class: a loss told (本金打没了, warning), a drama's 首付贷 (unless *fiction),
# 申请/游戏/账号 in name_stop, a short chunk of everyday characters is no name (要先), and the
# answer asking the pitcher why he wrote (还用得着私信我, not_contact). The gate's threshold is
# 0.13 with it: 46 of 34,580.
# The fifty-ninth (1,000 posts: fandoms and gamers; readers and viewers of crime stories;
# people at work; consumers), measured once with the analyzers of 089b75e: 2, 0, 0 and 3 of
# 250. Fixed by class: a fan club against a talent agency (经纪公司, 饭圈, 应援 in
# consumer_businesses), 不负责任何代收代付 (负责 bridges a negation), 别点 (warning), a typo owned
# up to (配资…打错了). Left: a child's "辣条公司" a teacher calls 非法集资 (a quoted 公司 name).
CEILINGS = {"ordinary.jsonl": 0, "ordinary_heldout.jsonl": 1, "ordinary_heldout2.jsonl": 1,
            "ordinary_heldout3.jsonl": 0, "ordinary_heldout4.jsonl": 1,
            "ordinary_heldout5.jsonl": 0, "ordinary_heldout6.jsonl": 0,
            "ordinary_heldout7.jsonl": 0, "ordinary_heldout8.jsonl": 1,
            "ordinary_heldout9.jsonl": 0, "ordinary_heldout10.jsonl": 1,
            "ordinary_heldout11.jsonl": 0, "ordinary_heldout12.jsonl": 2,
            "ordinary_heldout13.jsonl": 1, "ordinary_heldout14.jsonl": 0,
            "ordinary_heldout15.jsonl": 1, "ordinary_heldout16.jsonl": 0,
            "ordinary_heldout17.jsonl": 0, "ordinary_heldout18.jsonl": 0,
            "ordinary_heldout19.jsonl": 3, "ordinary_heldout20.jsonl": 0,
            "ordinary_heldout21.jsonl": 3, "ordinary_heldout22.jsonl": 1,
            "ordinary_heldout23.jsonl": 2, "ordinary_heldout24.jsonl": 1,
            "ordinary_heldout26.jsonl": 1, "ordinary_heldout27.jsonl": 0,
            "ordinary_heldout28.jsonl": 4, "ordinary_heldout29.jsonl": 3,
            "ordinary_heldout30.jsonl": 1, "ordinary_heldout31.jsonl": 0,
            "ordinary_heldout32.jsonl": 2, "ordinary_heldout33.jsonl": 0,
            "ordinary_heldout34.jsonl": 0, "ordinary_heldout35.jsonl": 0,
            "ordinary_heldout36.jsonl": 1, "ordinary_heldout37.jsonl": 0,
            "ordinary_heldout38.jsonl": 1, "ordinary_heldout39.jsonl": 1,
            "ordinary_heldout40.jsonl": 3, "ordinary_heldout41.jsonl": 0,
            "ordinary_heldout42.jsonl": 0, "ordinary_heldout43.jsonl": 0,
            "ordinary_heldout44.jsonl": 0, "ordinary_heldout45.jsonl": 0,
            "ordinary_heldout46.jsonl": 1, "ordinary_heldout47.jsonl": 1,
            "ordinary_heldout48.jsonl": 0, "ordinary_heldout49.jsonl": 0,
            "ordinary_heldout50.jsonl": 2, "ordinary_heldout51.jsonl": 4,
            "ordinary_heldout52.jsonl": 1, "ordinary_heldout53.jsonl": 1,
            "ordinary_heldout54.jsonl": 0, "ordinary_heldout55.jsonl": 1,
            "ordinary_heldout56.jsonl": 0,
            "ordinary_heldout57.jsonl": 2, "ordinary_heldout58.jsonl": 0,
            "ordinary_heldout59.jsonl": 1}


@pytest.mark.parametrize("name", sorted(CEILINGS))
def test_ordinary_posts_flagged_by_no_more_than_measured(analyzer: Analyzer, name: str) -> None:
    records = load_jsonl(CORPUS / name)
    assert records and all(r["labels"] == [] and r["kind"] == "post" for r in records)
    predict = engine_text_predictor(analyzer)
    flagged = {r["id"]: sorted(predict(r)) for r in records if predict(r)}
    assert len(flagged) <= CEILINGS[name], flagged


@pytest.mark.parametrize("text", [
    "基金又绿了，收益率-15%，这波亏麻了",                 # a loss, not a promised return
    "昨天那集又在弹幕里爆雷了，气死我了",                 # a spoiler
    "新番第三集爆雷了，反派居然是女主她哥",               # a spoiler, told by its characters
    "宽带费逾期没交，今天网就断了",                       # a household bill paid late
    # a story's firm in trouble (fiction in a short post)
    "这部剧第三集，男主开的澜石财富就爆雷了，老板卷款跑路，编剧节奏好快",
    "追的网文更新了：反派的聚宝金服被经侦立案，非法集资八个亿，爽",
    "防诈骗讲座讲到现金贷的时候，台下都不说话了",          # a kind of loan, no platform
    "新游戏拉人头送限定皮肤，我把室友都拉进来了",          # a game's invite reward
    "这次月考保住了年级前十，保本了哈哈",                 # 保本 of an exam
    "谁说开个奶茶店稳赚的？半年亏了八万",                 # 稳赚 of a shop, no offer
    "刷题刷到半夜，明天这场稳赚不赔了吧",                 # 稳赚不赔 of an exam
    "楼下健身房老板跑路了，我刚办的年卡啊",               # a consumer's prepaid card
    "小区门口的洗衣店跑路了，卡里还有三百",               # the same, a plain name
    "游戏里攒的金币无法提现，白肝了三个月",               # game coins
    "这部剧的原著粉疯狂爆雷，已屏蔽",                     # a spoiler, the series named
    "年会抽到现金红包五百，开心",                         # a lottery prize
    "我的基金今年收益率30%了，开心",                      # the poster's own result, no offer
    "晒一下持仓，今年回报率有15%，比存银行强",             # the same
    "学车交了五千，结果驾校老板失联了，理财都没这么坑",      # a consumer business, 失联
    "驾校老板卷款了，学费三千没了，资金都被卷走了",          # a consumer business, 卷款
    "健身房销售让我拉人头，拉两个朋友办卡送半个月",          # a gym's invite reward
    "后援会把应援资金池的余额退给大家了",                   # a fan club's kitty
    "新号送了500体验金币，玩两局就没了",                    # a card game's trial coins
    "周末开启冰箱清盘计划，不买菜，把囤的存货吃完",          # a fridge eaten empty
    "今天经侦大队来单位做讲座，讲合同诈骗，财务同事听得很认真",  # a police talk
    "大富翁游戏里我的地产全部清盘，一分钱资金都不剩",             # a board game
    "我家的家庭资金池由我妈掌管，理财全靠她",                     # a family's pocket money
    "家装公司收了三万定金，工长和老板都跑路了，电话关机，小区好几户已经报警",  # a consumer's
    "婚纱摄影店老板卷款失联，几十对新人的定金打了水漂，大家去派出所报案了",    # the same
    "群里有人说“保本高收益”，我直接退群了",                      # someone's words, quoted
    "4S店说零首付提车，算下来利息比车贷还高",                      # a car's down payment
    "这个月请客吃饭随份子，钱包直接清盘了",                        # 清盘 of a wallet
    "打牌输了几把，金豆全部清盘",                                  # 清盘 of game beans
    "跑网约车一年，油费保险一算，就是个保本的买卖",                # breaking even
    # one offer word with an everyday sense, offered to nobody (everyday_offers, offer_cues)
    "考前通宵是我唯一的零风险投资，反正也考不过",                  # 零风险 of a joke
    "需求改了八遍，项目最后还是我们小组兜底，月底又白干",          # 兜底 of a team
    "麻将搭子凑了个资金池，谁输了谁往里放钱请宵夜",                # a card table's kitty
    "钓鱼佬的静态收益：挂着竿睡一下午，醒来桶里两条鲫鱼",          # 静态收益 of fishing
    "我外婆说以后以房养老，就是把老屋租给隔壁开小卖部",            # renting out a house
    "挂机一晚上，游戏币每天只涨一分钱，算了卸载",                  # 一分钱 is a cent
    "坚持每天多跑一分钟，一个月下来体重掉了两斤",                  # 一分钟 is a minute
    "我舅炒了二十年股，从来不碰配资",                              # 不碰: a refusal
    "商场娃娃机充值送的游戏币，女儿非说那是体验金，一会儿就抓没了",  # a claw machine's coins
    "单位食堂端午粽子内部认购，员工价八折",                        # staff price
    "这个月的奖金又延期兑付了，老板说下个月一起发",                # a bonus put off
    "我从大学室友的饭局里良性退出了",                              # leaving a dinner
    "楼下管理处讲以后唔再代收代付水费",                            # Cantonese 唔: a refusal
    "面包店会员消费返还积分，攒够了换蛋糕",                        # a bakery's points
    "这件衬衫搭配资深设计师的款式，很显气质",                      # 搭配|资深
    "开会前配资料配到半夜，眼睛都花了",                            # 配|资料
    "买手机也搞首付分期，我选择再用一年旧手机",                    # a phone's
    "合租的水电燃气都是我代收代付，月底在群里算账",                # a household's bills
    "游戏里的钻石要是能提现就好了，可惜无法提现",                  # 可惜无法 is no name
    "推荐同事来店里剪头发，老板说下次给你打八折，这就是推荐返利吧",  # a barber's discount
    # one offer word, said twice (稳赚 in 稳赚不赔), is still one word; 一份 is a portion
    "点了一份稳赚不赔的双人套餐，原来是这家店的招牌名字，叫稳赚鸡排",
    "我爸借我两千块，说好保本保息，利息就是周末回家陪他下棋",        # a family loan
    "妹妹把零花钱存我这，我跟她说保息，年底给她买本漫画",
    # 宝 that runs on into a word (宝石, 宝贝) ends no platform name
    "玩了一晚上璀璨宝石，静态收益攒够了才开始买高分卡",
    "帮会长给新来的小号配资源，装备全送了",                        # 配|资源
    "周末在家追了三集经侦剧，编剧挺懂行",                          # a police drama
    "我和那个饭搭子算是良性退出了，以后各吃各的",                  # 良性退出 needs money talk
    "快递把瓷碗摔碎了，申请先行赔付，客服给了张无门槛券",          # a parcel's compensation
    "重温老剧，他饰演的经侦队长太有魅力了",                        # a police drama's role
    "跑步打卡一个月，配速年化增长率算下来有40%，继续冲",            # a rate of change
    "这周加班太多，睡眠时间年化跌了50%",
    "部门经理又说今年业绩好大家收益翻倍，听听就好",                  # 收益翻倍 matched twice
    "那部年代剧里村民上访的戏，演员演得真好",                        # a drama's plot
    "作者说好的番外延期兑付了，章节还欠着两章",                      # a novel's updates
    "宿舍搞了个买菜资金池，室友每人每周交五十，推荐给大家试试",      # a household's kitty
    "篮球社团凑够十个人才能报名，我在班里到处拉人头",                # a club's members
    "说好的周末约会又延期兑付了，男朋友永远在加班",                  # a boyfriend's promises
    "表哥开了个小饭馆，第一年能保本就谢天谢地",                      # breaking even
    "签到攒的金币满20块才能提现，差两毛提现困难",                    # an app's coins
    "减肥的静态收益是睡得好，动态收益是衣服都松了",                  # one offer word, twice
    "外卖又涨价了，涨幅年化下来得有30%",                              # a rate of change
    "儿子的辅导班老板跑路了，家长们在群里商量去维权",                # a consumer business
    "宿舍断网一晚上，全宿舍失联",
    # session 10: a negation over 什么, public matching funds, a game, a troupe, a habit
    "社团经费每一笔都贴在群里，这不是什么资金池，是大家的饭钱",
    "村口那段路是镇里配资一半，村里自筹一半修起来的",
    "打野又跑路去偷塔了，下路被包了三次",
    "社区广场舞比赛要十二个人，阿姨们在楼下到处拉人头",
    "早起是我最高收益的习惯，第二天精神翻倍",
    "老师天天讲防传销，说有人被骗去外地，最后家里报警才找回来",
    "记账第二个月，每月外卖一千八，房租占工资的30%",
    "厂里老板欠了工人三个月工资，人失联了，劳动监察那边已经立案",
    "业主群说要集体上访告物业，停车费涨得太离谱",
    "我妈说给我配资买车，她出一半我出一半",
    # a private channel is no offer by itself
    "考试稳了，题目私聊发你",
    "二手相机九成新，私聊，不保本也出",
    # a count of days or a share of people after a rate word is no rate
    "这个理财年化十五天就到期，收益八成是不够买菜",
    "房租每年涨10%，工资每年涨3%",
    # someone's pitch told, a refusal, savings; a short post is one context
    "卖饲料的业务员天天劝我们发展下线，我听着就烦",
    "中介说能帮我办首付贷，我直接拒了",
    "我外婆说钱存银行最保本",
    "公司内推奖励两千。老王疯狂拉人头，亲戚全拉进来了",
    "小组作业组长说这个项目他兜底，大家放心，结果人失联了",
    "我和前任的感情正式清盘",
    "种田文男主搞养殖，一年收益翻三倍",
    "抽卡90抽保底歪了个七七",
    "自家腊肠28一斤，保本卖，加微信下单",
    "二手手机九成新，支持验货，零风险，微信：abc_phone",
    "家务分配需要清盘重来了",
    "自家果园的脐橙零风险，坏果包赔，要的私信",
    "这本小说的主角被骗进传销窝点，被逼拉人头，最后报警逃了出来",    # a story's plot
    # a lexicon name that is a word of the dictionary, with no firm word by it
    "儿子的存钱罐是个铁皮小猪，想拿钱出来提现困难，只能用螺丝刀撬",
    "宿舍群里老三被群主踢了，美其名曰良性退出",                    # leaving a group chat
    # someone else's pitch, reported
    "保险公司的人天天打电话推销分红险，说保本还有收益，烦死了",
    "高铁上看到有人在推销股票配资，直接报警了",
    # round 59: a talent agency, a group rule, an advert not to click, a typo
    "后援会为了姐姐的资源去找经纪公司维权，超话里吵翻了",
    "班级群规：本群不负责任何代收代付，团购请走学校小程序",
    "我爸天天提醒：贷款自己去银行办，网上那些首付贷的广告一个都别点",
    "出个旧显卡，配资很顶（打错了，是配置），200包邮",
    # session 18 (round 58): a loss told before a warning, a game account
    "表哥前年玩配资炒股，两个跌停本金就亏没了。劝一句，配资这玩意别碰",
    "账号被人盗了，客服说要先报警再走申诉流程，好麻烦",
    # one everyday trouble word, no word of money: a shop's boss is no financial firm
    "楼下烧烤店的老板报警了，说昨晚有人吃完不给钱",                # a dine-and-dash
    "装卸队的老板拖了三个月工钱，工友们去劳动仲裁，已经立案",      # a wage dispute
    # session 12: words in quotation marks are the writer's terms, not names (scare quotes)
    "民法课讨论：老王以“互助养鸭”为名向邻居借钱，鸭瘟后还不上，算不算非法吸收公众存款？",
    "考研刑法背到集资诈骗罪，“以非法占有为目的”这几个字写了二十遍",
    "饭圈黑话：“控评”就是刷好评，“集资”是粉丝凑钱，“跑路”是站姐不干了，“清盘”是关站前清库存",
    # a net of every day ends no ××网 name
    "看了部警匪片，经侦大队一出来我就猜到大结局要收网了",
    "【秋游缴费】车费门票由家委会代收代付，家长们别单独转账给旅行社，有问题私聊我",  # a class's bill
    # a short post about studying: the syllabus's crimes and petitions (lesson)
    "历史课上讲了古代百姓集体上访的故事，原来那时候就有",
    "考公复习到非法吸收公众存款罪，区别在于有没有非法占有目的",
    # a rate that recedes is no return
    "我的发际线年化后退8%，再这样就秃了",
    # session 13: a petition with no word of finance names no firm; a buyer who refused the loan
    "小区为了修电梯的事想集体上访，居委会主任说别急，他去跑街道，结果半个月就批下来了",
    "全班准备集体上访班主任，要求把早读取消",
    "邻居买房时中介推荐首付贷，他们没碰，老老实实攒够了首付",
    "今年头发的年化流失率怕是有25%，加班的代价",   # a rate of loss is no return
    # a police station's outreach, a novel, a lesson: no firm in them (name_stop, fiction, lesson)
    "派出所进小区宣传防范网络诈骗和非法集资，还发了环保袋，我爸领了两个",
    "看了一本小说，主角她妈被骗进非法集资，结局挺惨的",
    "刑法老师说非法集资类犯罪下周必考，宿舍里一片哀嚎，都想跑路",
    # session 14: a gift for signing up at a shop, a bank card's POS at a shop, a loan's limit
    "新店开业，注册会员送现金券，满100减20",
    "楼下超市的POS机坏了，老板说银行明天免费上门换",
    "信用卡提额了，额度两万，分期手续费年化算下来快15%，不划算",
    # session 14, stock forums: a listed company's trouble; 场外配资 in a crackdown, a lesson or a
    # loss told; the price of 两融; one's own gains since buying. And a wedding studio's customers'
    # 维权群, an online shop gone, a canteen's 爆雷
    "$北辰钢构(600496)$ 实控人跑路了，公司被立案调查，我的钱全套里面了",
    "sh600496 公司被立案调查，董事长失联，投进去的钱血本无归",
    "公告说公司涉嫌违规担保被立案，董事会全员不保证年报真实，这还玩啥",
    "大股东担保的那笔债也逾期了，上市公司要被连带，这雷越滚越大",
    "监管又在严查场外配资，15年的教训不能忘",
    "表哥当年借配资炒股，本金全亏光还倒欠一屁股债",
    "两融利率年化8.35%，券商是真敢收，我融了三个月就还了",
    "从我买入到现在收益率+82%，再涨我就减半仓",
    "婚纱摄影店倒闭了，定金交了还没拍，老板电话打不通，拉了个维权群明天去派出所报警",
    "卖手工皂的小网店跑路了，客服也不回，钱要不回来了",
    "公司食堂换承包商了，第一天就爆雷，米饭是夹生的，全公司都在群里吐槽",
    # the thirty-ninth: a listed company's notice and debts, one's own rule and results, a
    # margin account wiped out, words named as words, a game's trial coins
    "老板被抓、审计跑路，公司公告说生产经营正常，谁信",
    "商票逾期的事公司终于承认了，公告说金额2.3亿",
    "我的做法是年化收益到15%以上就分批赎回一部分，落袋为安",
    "晒一下五年定投的结果：总收益率31%，年化大概7%",
    "2015年身边好多同事玩配资，一个星期内全部爆仓",
    "听到“保本保息”“固定收益”这类词我就绕着走，理财哪有不波动的",
    "狼人杀App新人送500体验金币，只能在娱乐房用",
    # the fortieth: a listed company's default and fraud, a margin loss, one's own fund, a bank
    # manager's words, an anti-fraud campaign
    "这家做光伏组件的上市公司，债务违约加上实控人失联，今天正式宣告血本无归",
    "这家做食品的上市公司涉嫌财务造假被立案了，持股的人一起去律所登记索赔",
    "组长当年借了场外配资上了1:5杠杆，房子首付都赔进去了",
    "我拿的这只固收+过去三年最大回撤4%左右，年化7%出头，图个安心",
    "银行经理说这个理财“跟保本差不多”，我回家一查，非保本浮动收益型",
    "大家多了解一下非法集资的危害，守好自己的钱袋子",
    # session 15, the forty-first: a week's trades reviewed, a past margin account and a refusal
    "复盘：这周四笔交易，两亏两赚，周收益率+3.1%，主要靠周一那只首板",
    "前几年玩过场外配资，1比4，一个跌停差点没了，现在谁来推配资我一律拉黑",
    # the forty-second: a loan's price (借呗), a word named as a joke, a film's ending
    "花呗分期年化算下来快15%，这个月发了年终奖赶紧还清",
    "宿舍长收水电费被我们戏称为'非法集资'，他说有收据，很冤",
    "电影《钱途迷茫》片尾字幕说主角'因集资诈骗罪被判处无期徒刑'，影院里一片安静",
    # the forty-third: a news programme's crackdown, a comparison, a video's pitch mocked, a
    # 首付贷 refused
    "新闻里说要严打非法集资，我妈听完就说：以后谁跟她提高回报她就挂电话",
    "我爸查我这学期生活费去向的架势，好比经侦查账",
    "刷到个直播，说什么“月息2%，稳赚”，评论区都是托",
    "爸妈说首付贷这种东西坚决不碰，宁可晚两年买",
    # the forty-fourth: a pitch received and shut out, goods bought in-house, a chat group, a
    # household's money passing through
    "手机又弹出“股票配资，一比十，按天算”，我直接把这个App卸了",
    "有个号天天私信我“个人POS机免费办理”，我说我连信用卡都没有",
    "又有人加我：“期货配资1:5，一万起”。拉黑。",
    "单位内部认购端午粽子礼盒，一人限三盒，名额给了隔壁科室",
    "孩子们凑钱买卡牌，老师在班级群说这属于“非法集资”，家长们都乐了",
    "我就是我家的代收代付：工资进来，房贷和兴趣班的钱转身就出去了",
    # the forty-fifth: a drama, pitches received by text, in an advert, in a family chat or as a
    # question, a margin account declined, a listed company's pledges, a disk wiped, a friend's ex
    "追的剧更新了，卧底经侦那段拍得是真好",
    "短信：“股票配资，一比十，当天到账”。删了。",
    "刷到「配资炒股」的广告，直接屏蔽，我爸当年就是这么亏掉半套房的",
    "看到有人在家族群里发“内部认购原始股，上市翻三十倍”，我转给我爸：这种直接退群",
    "有网友问我“日息0.1%”高不高。换算成年化是36.5%，八成是坑",
    "群友：你为啥不用配资？我：因为我还想过个好年",
    "质押爆仓加上业绩暴雷，这家公司今年是把雷踩全了",
    "公司换新电脑，IT说旧电脑要先清盘再回收，我的桌面全没了",
    "闺蜜说她前任是情感诈骗，建议她去找经侦，我说经侦不管这个",
    # a pitch received or seen, quoted whole, in a post that calls nobody (engine._others_words)
    "小区电梯里贴着“个人POS机免费办理”，物业说马上撕掉",
    "今天手机上冒出一条“首付贷三天放款”，我都还没买房呢",
    "车上的广播一直放“稳赚不赔，年化20%”，吵死了",
    "楼下传单写着「股票配资1:10，按天计息」，风一吹满地都是",
    # the forty-sixth: a novel's loan shark, friends who never got over 2015, a text message
    # deleted, the real winner of a claw machine, a friend's offer declined
    "小说里那个放贷的黑帮收日息一分，主角一借就是十万，吓人",
    "15年见过好几个同事借配资满仓，一轮股灾下来，到现在都没缓过来",
    "今天收到一条短信：恭喜获得配资体验金8888元。直接删了，大家别点链接",
    "夹娃娃机老板才是稳赚不赔，我投了五十个币一个没夹到",
    "同学推荐我玩外汇配资，说一比一百，我说谢谢不用，我一比一都亏",
    # the forty-seventh: a self-styled trader's pitch, a stranger's, the police in the estate,
    # a series about the economic-crime police
    "有个自称老师的人私信我，问要不要做配资，一万能操作十万，稳赚。我笑了",
    "有个陌生人加我说有配资渠道，一比五，我回他：先给我配个对象。拉黑",
    "小区里经侦的民警来宣传防骗，发了把扇子，我拿着扇子回家继续看盘",
    "看了部叫《风起港城》的剧，讲经侦支队查案的，我爸看完说：你那点钱骗子都懒得骗",
    # the forty-eighth: a refusal told from its headline, an agent walked out on, a sales script
    # translated
    "说说我拒绝配资的经历。老同学说认识一个搞配资的，一比十，利息按天算。后来他自己爆了",
    "售楼处小哥一直推什么首付贷，我俩对视一眼当场走人",
    "配资话术翻译一下：“放大收益”=放大亏损，“专业风控”=到线就平仓",
    # the fiftieth: a game's dungeon, self-improvement's compound interest, a fan club's
    # accounts, a question answered no
    "这个副本刷完稳赚五百金币，兄弟们上",
    "坚持每天进步1%，一年后你会强大37倍",
    "后援会的钱全是代收代付，每一笔都截图公示",
    "众筹买房？不是，是全班众筹给班主任买了束花",
    # the fifty-first: a comparison (engine._compared), condolences to the liquidated, 哪有什么,
    # a loan shark's rate, a family that does not touch it, a fan who quits
    "这手续费比配资还黑",
    "他家的分期比首付贷更坑",
    "昨晚原油插针，十倍杠杆的朋友们节哀",
    "我妈说她年轻时哪有什么首付贷，都是一分一分攒的",
    "听说隔壁村有人放高利贷，日息百分之二，太狠了",
    "首付贷我们不碰，宁可晚两年买",
    "宣布从饭圈良性退出，以后不打投了",
    # the fifty-second: 别 as a negation, a lesson taught, a boss's pie in the sky, a cousin's
    # money gone, a beginner's question, a week's own result, a wish
    "兄弟，别配资，一次就够你还三年",
    "二十倍杠杆炒黄金，一根K线教我做人",
    "领导画的饼，年化能有300%，到手是零",
    "朋友找人配资炒币，一比二十，三天本金全没了",
    "新手问题：融资融券和配资是一回事吗？",
    "本周收益+2.3%，最大回撤0.8%，按计划执行",
    "许个愿：明年快乐的年化收益率超过200%",
    # the fifty-fourth: a loss told (本金就没了, 亏掉一半), a backtest against the real account, a
    # parcel station's notice read aloud
    "我二舅去年搞配资炒股，两个跌停本金就没了",
    "同学跟着群里的老师炒黄金，说稳赚不赔，半年亏掉一半",
    "回测年化40%，实盘年化-12%，策略和人性之间差了一个熊市",
    "楼下驿站贴了张纸：只代收不代付。我爸念成'代收代付'，还以为是新业务",
])
def test_everyday_senses_give_no_finding(analyzer: Analyzer, text: str) -> None:
    assert analyzer.analyze(text, "post") == []


# The forty-ninth: a pitch told as a dialogue without quotation marks, then the poster's answer
# (engine._reported_speech). Judged without the offer gate: the rules themselves drop these.
@pytest.mark.parametrize("text", [
    "表哥问我首付贷靠不靠谱，我说你先把工资卡流水看一遍再说",
    "菜市场门口有人拦住我说办个人POS机送脸盆，我说我连卡都没带，走了",
    "晚上有个生号加我问要不要做股票配资，我回：先把我上个月亏的补上。",
    "有人在地铁口拦我说免费送POS机，我说不用，走了",
    # the fiftieth: asked without 我 (同事问…), asked again (被问), pushed (一直推), an answer
    # by auto-reply or by the family
    "表姐问首付贷怎么申请，我说你先问问你老公",
    "这个月第三次被问要不要配资了，干脆设个自动回复：不需要，谢谢",
    "售楼处的小哥一直推首付贷，说首付不够他们帮着想办法，我妈当场说不用了",
    # the fifty-first: the telling starts at the inbox (私信里…问), the answer is a block
    "股吧私信里总有人问要不要配资，我一律回复：不需要",
    "有人私信我说有个保本翻倍的内部项目，兄弟你这么厉害还私信陌生人？拉黑",
    # the fifty-fourth: the pitch in single quotes, a call received (又是…电话), the inbox without
    # 我 (私信有人问), and the answer that echoes the pitch's words
    "又是配资电话：'大哥，我们这边可以按天配资'。我说我按天吃饭都困难，挂了",
    "私信有人问要不要配资，一比十。我说我本金就五千，拉黑",
    "知乎有人问“每天赚1%复利一年是多少”，我回：每天赚1%的东西根本不存在",
    # the fifty-fifth: the inbox right before the quotation (私信我"…")
    '有人私信我"股票配资1比10"，我回：我本金才两千，配完亏得更快吗',
    # the fifty-seventh: a pitch in a group chat (有人推荐)
    "群里有人推荐配资，说能给1比10，我回了张我表哥账户清零的截图，群里安静了",
    # the fifty-eighth: the answer asks the pitcher why he wrote (not_contact)
    "有人私信：'跟着老师，一个月翻倍'。我：一个月翻倍你还用得着私信我？自己炒不就完了",
])
def test_a_pitch_told_and_answered_is_no_offer(ungated: Analyzer, text: str) -> None:
    assert ungated.analyze(text, "post") == []
    assert ungated.analyze(text, "page") != []  # a post's telling; a page is judged as written


# The fifty-sixth: a game's bank (in_game) and a child's money kept by a parent (unless), judged
# without the offer gate: the rules themselves drop these.
@pytest.mark.parametrize("text", [
    "手游里的NPC钱庄日息3%，我存了一晚上金币，第二天换了把新弓",
    "我妈帮我存的零花钱，本金无忧，利息全无，取出来还得打报告",
    # the fifty-eighth: a drama's plot (unless *fiction)
    "那部剧的男主靠首付贷上车，后来断供，房子被法拍，看得我胃疼",
])
def test_play_money_and_a_childs_kitty_are_no_offers(ungated: Analyzer, text: str) -> None:
    assert ungated.analyze(text, "post") == []


@pytest.mark.parametrize("text", [
    "好多朋友问我配资的事，我说：一比十，当天到账，有需要的私聊",   # the answer sells
    "同事问我哪里能办首付贷，我说找我就行，三天放款",
    "有人问我个人POS机怎么办，我说加我微信，包邮到家",
    "朋友拉我进了个项目，说保本保息，年化18%，我投了五万",        # no answer: it vouches
    "有人问我配资靠谱吗，我说：配资找我们，一比十，加微信详聊",   # the echo sells
])
def test_a_pitch_told_still_counts_when_the_poster_sells(ungated: Analyzer, text: str) -> None:
    assert ungated.analyze(text, "post") != []


@pytest.mark.parametrize("text, rule", [
    ("聚鑫贷年化收益-18%？不，是年化收益18%，保本保息", "promised_return"),
    ("聚鑫贷爆雷了，投资人的钱提不出来，大家去经侦报案", "public_risk"),
    ("金球所逾期了，有人提现成功吗", "public_risk"),        # a plain name, overdue to lenders
    # a figure of speech of a drama, about a real collapse
    ("鑫盛贷爆雷了，剧情比电视剧还离谱，投资人的钱全提不出来，已经去经侦报案", "public_risk"),
    ("推荐好友投资拉人头，发展下线拿返利", "fundraising_signal"),
    ("本平台产品保本保息，到期兑付", "guaranteed_principal"),
    # a post's offer names what it offers; a plain name by 跑路 stands in a text about money
    ("进群跟单，稳赚不赔，私信我", "promised_return"),
    ("这个项目保本，年底分红", "guaranteed_principal"),
    ("白鹭湾跑路了，网站打不开", "public_risk"),
    ("金球所跑路了，投了五万还没回款", "public_risk"),
    ("跟着老师操作，年化收益30%，私信我", "promised_return"),
    # the same everyday offer words where the post does offer: it speaks to its readers, gives
    # a contact, names a brand-shaped platform, states a rate, or has a second offer word
    ("零风险，名额只剩五个，想上车的私我", "guaranteed_principal"),
    ("资金池统一调度，随存随取，详情加v：abc123", "fundraising_signal"),
    ("兜底回购，放心投，13812345678", "guaranteed_principal"),
    ("鼎泰金服的理财零风险，老人最爱", "guaranteed_principal"),
    ("零风险，年化十五个点", "guaranteed_principal"),
    ("躺赚模式：动态收益加静态收益，越早越好", "fundraising_signal"),
    ("个人POS机办理，秒到账", "unlicensed_payment"),          # no everyday sense: no cue needed
    ("【瑞鼎金服】体验金五千元，收益可提现", "improper_subsidy"),
    ("新人专享8888元体验金，收益可提现", "improper_subsidy"),
    ("新人送体验金8888元，收益可提现", "improper_subsidy"),          # 新人送: a gift to new users
    ("注册就送5888体验金，收益可提现，亲测有效", "improper_subsidy"),
    ("这么稳赚的理财，我能不推荐给大家吗", "promised_return"),
    # two subsidy offers name each other: no other word of investment is needed
    ("新手標加息，註冊送現金紅包", "improper_subsidy"),
    ("注册送现金红包，首投再送体验金", "improper_subsidy"),
    ("汇鑫贷延期兑付了，投资人去公司门口维权", "public_risk"),
    # a seller's own slogan in quotation marks comes with a call or a platform's name
    ("“股票配资，一比十”，有需要的私聊", "margin_financing"),
    ("“保本保息，年化18%”【鑫盛贷】新手专享", "guaranteed_principal"),
    # a trouble word in quotation marks is named as a word only after a verb of naming
    ("鑫盛贷“跑路”了，投资人的钱提不出来，已经去经侦报案", "public_risk"),
    ("汇金贷被叫做“爆雷”平台，投资人聚集在公司门口维权", "public_risk"),
    ("网贷平台存钱罐跑路了，投资人去经侦报案", "public_risk"),   # the same name by 平台
    ("楠溪融通老板失联了，公司人去楼空，有人已经报警", "public_risk"),  # more than one trouble word
    ("理财保本保息，每份一千，先到先得", "guaranteed_principal"),    # 每份 prices a share
    ("聚宝金服新品保本保息，稳赚不赔", "guaranteed_principal"),     # two offer words
    ("股票配资源头公司，一比十杠杆", "margin_financing"),
    ("投资门槛一万，平台先行赔付，放心", "guaranteed_principal"),
    ("鑫诚贷宣布良性退出，出借人的本金分三年兑付", "public_risk"),
    ("年化收益率高达15%，保本保息", "promised_return"),               # a return, not a growth rate
    ("收益翻倍，私聊进群", "promised_return"),
    ("入会三千，静态收益每天三十，推荐一人另拿动态收益", "fundraising_signal"),  # a referral scheme
    # evasions: pictographs as glue, pinyin for the word, a spaced-out number
    ("保💰本💰保💰息的理财，私信我", "guaranteed_principal"),
    ("shou fu dai 三天放款，首付不够的找我", "real_estate_finance"),
    ("pei zi 1:10，炒股资金不够的私聊", "margin_financing"),
    ("理 财 年 化 1 8 %，名 额 有 限", "promised_return"),
    # a subsidy pattern next to a subsidy term: two offers that name each other
    ("加息券免费领，新手专享加息3%", "improper_subsidy"),
    # session 10: a monthly rate after 每月, 年华 for 年化, pinyin and homophones, a referral
    # scheme told as 介绍, a head paid per 下线, a POS that anyone may have
    ("朋友在做的理财，每个月拿两个点，保本", "promised_return"),
    ("稳利通年华12%，私我", "promised_return"),
    ("wen zhuan的理财，名额有限，私聊", "promised_return"),
    ("包本包息的理财，懂的来", "guaranteed_principal"),
    ("静态收益每月百分之八，介绍人进来还有动态收益", "fundraising_signal"),
    ("加入联盟，每发展一个下线奖励800元", "fundraising_signal"),
    ("POS机个人就能办，费率低", "unlicensed_payment"),
    ("我表哥在做一个项目，年化二十个点，保本，你要不要一起", "guaranteed_principal"),
    # a call to a private channel or a handle: the offer word needs no investment word by it
    ("保本，随存随取，加V：xyb2088", "guaranteed_principal"),
    ("零风险，闲钱放这里，私聊", "guaranteed_principal"),
    ("稳赚，每天都有进账，V：wz_365", "promised_return"),
    # a week's rate, a tenth (成), a bare numeral after 年化, a reply's pitch
    ("楼主可以试试我们，每周收益2%，本金随时取", "promised_return"),
    ("樓主可以睇下我哋呢個，年回報三成，穩賺", "promised_return"),
    ("稳健理财，年化十五，我帮你占个位", "promised_return"),
    ("养老床位投资，年回报一成五，原价回购", "promised_return"),
    ("推荐“金库宝”，注册就送5000元体验金", "improper_subsidy"),      # a brand-shaped platform
    # quoted names of platforms still are names: brand-shaped, by a firm word, in the lexicon
    ("“鑫盛贷”涉嫌非法吸收公众存款，已被立案侦查", "public_risk"),
    ("“云岫汇通”平台老板失联，投资人已到经侦报案", "public_risk"),
    ("鹏城网跑路了，投资人去经侦报案", "public_risk"),               # a ××网 site
    # a student's own platform keeps its name (lesson drops only plain names found by context)
    ("考研期间投的那个鑫盛贷跑路了，复习都没心思", "public_risk"),
    # a petition about a platform has words of finance; an ad's 不碰征信 is no refusal
    ("鑫盛贷的本金三个月没兑付，投资人准备集体上访", "public_risk"),
    ("首付不够？首付贷秒批，不碰征信，私聊", "real_estate_finance"),
    # session 14: a lender's own offer words need no other word (standalone); a sign-up gift of
    # a trial sum; what the reader gets; a rate beside "no risk" is a return, not a loan's price
    # (额度 is a quota there); a POS machine handed out without a deposit or a licence
    ("新手标加息5%，限时！", "improper_subsidy"),
    ("首投返现20%，仅限今天！", "improper_subsidy"),
    ("开户即送3000元体验金", "improper_subsidy"),
    ("体验金10000元，收益可提现", "improper_subsidy"),
    ("不限额度，年化9%，无风险", "promised_return"),
    ("POS机代理招募，一台起拿，无需押金", "unlicensed_payment"),
    ("个人办POS机不用营业执照，要的找我", "unlicensed_payment"),
    # a platform named in a stock forum keeps its name; a 配资 offer beside 涨停 is still one
    ("炒股的钱有一半投了鑫盛贷，现在鑫盛贷爆雷了，股票也跌停，双杀", "public_risk"),
    ("牛股天天涨停，股票配资1:10，按天配资，私聊", "margin_financing"),
])
def test_the_same_words_in_finance_still_count(analyzer: Analyzer, text: str, rule: str) -> None:
    assert rule in {f.rule for f in analyzer.analyze(text, "post")}


# Offer posts (tests/corpus/offer_posts.jsonl): 2,800 promoters' posts written blind to rules.md in
# sessions 8 to 12 (ad copy, testimonials, soft sells, evasions), fourteen files of 200, each measured blind
# once before its failures were read (the first was read while the check was designed). At
# least one of their rules is found, with the analyzers of session 7 / at the blind count / now,
# in: 186 / - / 186 of the first, 186 / 182 / 183 of the second, 184 / 180 / 183 of the third,
# 180 / 175 / 184 of the fourth (its blind count came before two subsidy terms counted as each
# other's context, a fix read from the first and third). The fifth (session 9, 40% casual
# posts of people sharing an offer): 170 blind with the analyzers of session 8 and of session
# 9, then 179 once pictographs and a spaced-out number are glue (保💰本, 年 化 1 8 %), pinyin
# written for 首付贷, 配资, 体验金, 加息券 is read, and a pattern's offer apart from a term's counts as
# a second offer. The sixth (a third short, a third evasive): 155 with the analyzers of session
# 8, 160 blind with those of session 9, then 164 once a dot inside a dotted run of Chinese
# characters is glue (配.资.开.户), keycap digits are digits (1️⃣2️⃣%), capital numerals before a
# rate's unit are numerals (年化壹拾贰%) and 放标 is a word of investment (a rate beside 额度 is
# then no loan's price). The seventh (session 10, a third long soft sells, a third chats between
# friends, a third evasive): 182 blind with the analyzers of session 9, then 190 once 每月 and
# 每个月 lead a monthly rate (a household's budget words between them make none: 工资, 房租),
# 年华 and pinyin (nianhua, yuexi, wenzhuan, tangzhuan, baobenbaoxi, wufengxian) are read,
# 包本包息, a scheme's 介绍 counts as 推荐, 发展一个下线 earns, and a pitch of 一个项目 or 那个项目 or
# 要不要一起 speaks to its reader. The eighth (session 10, half of it short group-chat posts with
# one promise word and a call to act): 160 blind with the analyzers of session 9 and with the
# fixes above, then 177 once a post that takes its reader to a private channel (私聊, 加群, a
# WeChat handle: private_contact) needs no word of investment besides its offer word. The ninth
# (session 10, life posts with a pitch at the end, replies to other posts, traditional and
# Cantonese): 183 with the analyzers of session 9, 185 blind, then 194 once a week's rate is
# read (每周收益2%, times 52), 成 is a tenth (年回报三成), 日赚/月赚/周赚 and 每年 lead a rate, an
# annual rate may be a bare Chinese numeral (年化十五) and a reply's 可以看看我们 pitches. The
# floor keeps the everyday-offer check from silencing offers. The tenth (session 10, pitches
# hidden in recipes and travel notes, the language of safety and law, very short ads): 163 with
# the analyzers of session 9, 175 blind, then 180 once a brand-shaped platform (“金库宝”) counts
# as the object a post's offer names and 一成五, 一成半 are read. The eleventh (session 10, eight
# styles, measured once with the offer gate): 183 with the gate, 183 without, 183 with the
# analyzers of session 9. The twelfth (session 10, measured once with the gate): 183 with and
# without the gate, 182 with the analyzers of session 9. The thirteenth (session 11, half one-line
# group posts, half lifestyle stories; rates in every form): 188 blind with the final analyzers of
# session 10 (none lost to the gate; the 12 missed are one-line pitches that name no investment:
# 这个盘稳赚, 收益翻倍，名额就剩三个), not tuned. The fourteenth (session 12, seven styles, 30%
# evasive): 190 blind with the final analyzers of session 12 (all labels: 176); the 10 missed are
# mostly pinyin mixed into a word (shou付dai, pei资, ti验金, yuan始股). Then every term of rules 1-8
# is also matched with pinyin mixed in (analyzers/pinyin.py): 193 of the fourteenth (181 all
# labels), 2,587 of all (2,577 before). The offer gate is trained on all fourteen (in-sample).
# Session 13: praise is no quote (都说好) and a guaranteed principal makes a rate a return
# (保本型产品，年化7%，到期自动还款): 195 of the fourteenth (183 all labels), 2,589 of all.
# Session 14: a lender's own offer words need no other word (standalone: 新手标加息, 首投返现), a
# sign-up gift of 体验金, what the reader gets (收益可提现), no risk beside a rate (无风险 is a
# word of investment) and POS machines without a deposit or a licence: 2,627 of all. The
# fifteenth (session 14; one-liners, comment replies, sharing notes, part-time-job boards; 30%
# evasive): 198 blind with the analyzers of 441f0de (all labels: 189; 196 and 187 with those of
# session 13), then 2,825 of all 3,000.
OFFER_POSTS_FLOOR = 2825


def test_offer_posts_are_still_found(analyzer: Analyzer) -> None:
    records = load_jsonl(CORPUS / "offer_posts.jsonl")
    assert len(records) == 3000 and all(r["kind"] == "post" and r["labels"] for r in records)
    predict = engine_text_predictor(analyzer)
    found = sum(1 for r in records if predict(r) & set(r["labels"]))
    assert found >= OFFER_POSTS_FLOOR, found
