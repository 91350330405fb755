"""Exit statuses of `patrol` commands, with the meanings of BSD sysexits.h, defined once.

The scheduler reads a patrol process's status with the same names (LOCKED means "another
process holds the target's lock: not started"). The table in README.md lists them.
"""

from __future__ import annotations

OK = 0            # done
FAILED = 1        # the work ran and failed (a patrol that failed, an alert not delivered)
USAGE = 2         # wrong command line or configuration (EX_USAGE is 64; click uses 2)
DEGRADED = 3      # the patrol ran but its health checks failed (few or no pages, only errors)
UNAVAILABLE = 69  # EX_UNAVAILABLE: a service needed is unavailable (store, SMTP, browser)
CANT_CREATE = 73  # EX_CANTCREAT: cannot write the data directory or an output file
IO_ERROR = 74     # EX_IOERR: input/output error (disk full, read-only file system)
LOCKED = 75       # EX_TEMPFAIL: busy; another process holds the lock; try again later
INTERRUPTED = 130  # stopped by SIGINT / Ctrl-C (128 + 2)

MEANINGS: dict[int, str] = {
    OK: "成功",
    FAILED: "失败（巡查失败、告警未送达等）",
    USAGE: "用法或配置错误",
    DEGRADED: "巡查完成但状况异常（页面过少、全部出错）",
    UNAVAILABLE: "所需服务不可用（存储、邮件服务器、浏览器）",
    CANT_CREATE: "无法写入数据目录或输出文件",
    IO_ERROR: "读写错误（磁盘已满、只读文件系统）",
    LOCKED: "目标正被另一进程巡查（锁被占用），稍后再试",
    INTERRUPTED: "被中断（Ctrl-C）",
}


def for_exception(exc: BaseException) -> int:
    """The status of a command that stopped on `exc` (FAILED unless a sysexits meaning fits)."""
    import errno
    import sqlite3

    from findings.cluster.clients import ClusterUnavailable

    if isinstance(exc, ClusterUnavailable | ConnectionError):
        return UNAVAILABLE
    if isinstance(exc, OSError):
        if exc.errno in (errno.ENOSPC, errno.EROFS, errno.EIO, errno.EDQUOT, errno.EFBIG):
            return IO_ERROR
        if exc.errno in (errno.EACCES, errno.EPERM, errno.ENOTDIR, errno.EEXIST, errno.EISDIR):
            return CANT_CREATE
    if isinstance(exc, sqlite3.OperationalError) and any(
            text in str(exc) for text in ("disk I/O error", "database or disk is full",
                                          "readonly database")):
        return IO_ERROR
    return FAILED


def storage_failure(exc: BaseException) -> bool:
    """True when `exc` says the data directory cannot be written (disk full, read-only file
    system, I/O error, permissions): nothing more can be stored, so there is no point going on."""
    return for_exception(exc) in (IO_ERROR, CANT_CREATE)
