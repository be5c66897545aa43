"""Writing files whole or not at all."""

from __future__ import annotations

from pathlib import Path


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename, so a reader
    never sees half a file and an existing file is untouched if writing fails. One
    implementation serves both whole texts and streamed reports
    (:func:`kl21rules.output._sink.write_file_atomic`), permissions included."""
    from kl21rules.output._sink import write_file_atomic

    write_file_atomic(path, (text,))


# What the system said, in Vietnamese: exc.strerror is the C library's English ("No such file or
# directory"), which office staff should not have to read. The English line keeps strerror.
_REASON_VI = {
    "ENOENT": "không có thư mục hoặc tệp này",
    "EACCES": "không có quyền truy cập",
    "EPERM": "không được phép",
    "ENOSPC": "ổ đĩa đã đầy",
    "EDQUOT": "đã hết dung lượng được cấp",
    "EISDIR": "đây là một thư mục",
    "ENOTDIR": "một phần của đường dẫn không phải là thư mục",
    "EROFS": "ổ đĩa chỉ cho phép đọc",
    "ENAMETOOLONG": "tên tệp quá dài",
    "EEXIST": "tệp đã có",
    "EBUSY": "tệp đang được dùng",
    "ETXTBSY": "tệp đang được dùng",
    "EMFILE": "đang mở quá nhiều tệp",
    "ELOOP": "đường dẫn có quá nhiều liên kết tượng trưng",
    "EIO": "lỗi đọc/ghi thiết bị",
    "EINVAL": "tên hoặc đường dẫn không hợp lệ",
}


def os_reason(exc: OSError, lang: str) -> str:
    """Why an operating-system call failed, in ``lang`` (``vi`` unless ``en``)."""
    import errno

    if lang == "en":
        return exc.strerror or type(exc).__name__
    name = errno.errorcode.get(exc.errno or 0, "")
    if name in _REASON_VI:
        return _REASON_VI[name]
    if exc.errno:
        return f"lỗi hệ thống số {exc.errno}"
    return "lỗi hệ thống"
