"""What makes a console password acceptable: long enough and not one everybody tries first.

Officers' accounts guard decisions that close platforms, so a password must have at least
MIN_LENGTH characters and must not be a well-known one, a run of one character, a keyboard or
counting sequence, or the account's own name. The messages are shown to people (Chinese).
"""

from __future__ import annotations

MIN_LENGTH = 12

# Passwords that lead every leaked-password list, and the words Chinese users build them from.
# A candidate is refused when, lower-cased and stripped of digits and punctuation at its ends, it
# is one of these, or when it is one of these with digits or punctuation added around it.
_COMMON_WORDS = frozenset("""
password passw0rd p@ssword p@ssw0rd admin administrator root qwerty qwertyuiop asdfgh asdfghjkl
zxcvbnm letmein welcome iloveyou monkey dragon master sunshine princess football baseball
superman batman trustno1 shadow michael jennifer abc abcd abcdef abcdefg abcdefgh qazwsx
qazwsxedc 1qaz2wsx zaq12wsx changeme default secret login user guest test demo patrol
woaini woaini1314 aini1314 wodemima mima nihao wangyi qingyuan zhongguo china beijing
shanghai guangzhou baobao laopo laogong
""".split())
_SEQUENCES = ("0123456789012345678901234567890", "9876543210987654321098765432109",
              "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz",
              "qwertyuiopasdfghjklzxcvbnmqwertyuiopasdfghjklzxcvbnm",
              "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p")


def _core(password: str) -> str:
    return password.lower().strip("0123456789!@#$%^&*()_+-=.,;:?~`'\" ")


def password_problem(password: str, name: str = "") -> str | None:
    """Why `password` is refused (a sentence for the officer), or None if it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 个字符"
    lowered = password.lower()
    if len(set(lowered)) < 4:
        return "密码过于简单：重复的字符太多"
    if any(lowered in seq for seq in _SEQUENCES):
        return "密码过于简单：是连续的键盘或数字序列"
    core = _core(password)
    if core in _COMMON_WORDS or lowered in _COMMON_WORDS or not core:
        return "密码过于常见，请换一个"
    if name and (lowered == name.lower() or core == name.lower()):
        return "密码不能与用户名相同"
    return None
