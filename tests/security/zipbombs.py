"""Zip bombs built in the test: Office files whose parts decompress to far more than they weigh.

Each builder writes a real, otherwise valid file (python-docx's / openpyxl's own blank document with one part
replaced), streaming the huge part into the archive so that building one takes little memory.
Run as a script (`python -m tests.security.zipbombs OUT_DIR`) to write them for a manual measurement.
"""

import io
import struct
import sys
import zipfile

MB = 1024 * 1024
_DOCX_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
)
_DOCX_TAIL = b"</w:body></w:document>"
_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = b"</sheetData></worksheet>"


def _blank_docx():
    import docx

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return buffer.getvalue()


def _blank_xlsx():
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["全称", "简称"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _replace_part(template, part, head, unit, size, tail):
    """`template` with `part` replaced by head + unit repeated up to `size` bytes + tail."""
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(template)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            if info.filename != part:
                out.writestr(info, source.read(info))
                continue
            target = zipfile.ZipInfo(part)
            target.compress_type = zipfile.ZIP_DEFLATED
            with out.open(target, "w", force_zip64=True) as stream:
                stream.write(head)
                block = unit * (MB // len(unit))
                for _ in range(size // len(block)):
                    stream.write(block)
                stream.write(unit * (size % len(block) // len(unit)))
                stream.write(tail)
    return output.getvalue()


def docx_bomb(size=200 * MB):
    """A .docx whose word/document.xml is `size` bytes of empty paragraphs."""
    return _replace_part(_blank_docx(), "word/document.xml", _DOCX_HEAD, b"<w:p/>", size, _DOCX_TAIL)


def xlsx_bomb(size=200 * MB):
    """An .xlsx whose first sheet is `size` bytes of empty rows."""
    return _replace_part(_blank_xlsx(), "xl/worksheets/sheet1.xml", _SHEET_HEAD, b"<row/>", size, _SHEET_TAIL)


def many_members(template, count=20_000):
    """`template` (a .docx or .xlsx) with `count` extra empty members."""
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(template)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_STORED) as out,
    ):
        for info in source.infolist():
            out.writestr(info, source.read(info))
        for index in range(count):
            out.writestr(f"x/{index}", b"")
    return output.getvalue()


def lying_header(bomb, part, declared=1000):
    """`bomb` with `part`'s uncompressed size declared as `declared` bytes in both of its headers."""
    data = bytearray(bomb)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(part)
    name = part.encode()
    # ZIP64 sizes live in an extra field; rewrite the bomb without ZIP64 is not possible over 4 GB, but ours
    # is 200 MB: patch the 32-bit fields and the ZIP64 extra fields alike.
    _patch_local(data, info.header_offset, declared)
    start = 0
    while (at := data.find(b"PK\x01\x02", start)) != -1:
        name_length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_length] == name:
            _patch_central(data, at, declared)
        start = at + 4
    return bytes(data)


def _patch_local(data, offset, declared):
    name_length, extra_length = struct.unpack_from("<HH", data, offset + 26)
    if struct.unpack_from("<I", data, offset + 22)[0] == 0xFFFFFFFF:
        _patch_zip64_extra(data, offset + 30 + name_length, extra_length, declared)
    else:
        struct.pack_into("<I", data, offset + 22, declared)


def _patch_central(data, offset, declared):
    name_length, extra_length = struct.unpack_from("<HH", data, offset + 28)
    if struct.unpack_from("<I", data, offset + 24)[0] == 0xFFFFFFFF:
        _patch_zip64_extra(data, offset + 46 + name_length, extra_length, declared)
    else:
        struct.pack_into("<I", data, offset + 24, declared)


def _patch_zip64_extra(data, start, length, declared):
    end = start + length
    while start + 4 <= end:
        tag, size = struct.unpack_from("<HH", data, start)
        if tag == 0x0001:
            struct.pack_into("<Q", data, start + 4, declared)  # the uncompressed size comes first
            return
        start += 4 + size


# Read one file the way the product reads an upload of that kind, in a fresh process; prints a JSON line.
_READER = r"""
import json, os, resource, sys, time
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planner.settings")
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from planner.importing.reader import read_notice_file
from tasks.uploads import check_attachment
from units.resources import EXCEL_FORMATS
kind, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
name = os.path.basename(path)
readers = {
    "notice": lambda: read_notice_file(name, data),
    "import": lambda: EXCEL_FORMATS[0]().create_dataset(data),
    "attachment": lambda: check_attachment(SimpleUploadedFile(name, data)),
}
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.monotonic()
try:
    readers[kind]()
    outcome = "read"
except MemoryError:
    outcome = "MemoryError"
except Exception as error:
    outcome = f"{type(error).__name__}: {error}"[:300]
print(json.dumps({"base_kb": base, "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "seconds": round(time.monotonic() - started, 2), "outcome": outcome}, ensure_ascii=False))
"""


def measure(kind, path, code_root, timeout=120, address_space=3 * 1024 * MB):
    """Peak resident memory (KB) and outcome of reading `path` as `kind` (notice / import / attachment) with
    the code of `code_root`, in a subprocess capped at `address_space` bytes and killed after `timeout` s."""
    import json
    import os
    import subprocess
    import time

    env = {**os.environ, "PYTHONPATH": code_root}
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-c", _READER, kind, str(path), str(address_space)],
        cwd=code_root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline, peak = time.monotonic() + timeout, 0
    while process.poll() is None and time.monotonic() < deadline:
        peak = max(peak, _high_water_kb(process.pid))
        time.sleep(0.1)
    if process.poll() is None:
        peak = max(peak, _high_water_kb(process.pid))
        process.kill()
        process.wait()
        return {"peak_kb": peak, "outcome": f"still running after {timeout} s (killed)", "seconds": timeout}
    out, err = process.communicate()
    lines = out.strip().splitlines()
    if not lines:
        return {"peak_kb": peak, "outcome": f"crashed: {err.strip().splitlines()[-1:]}", "seconds": None}
    return json.loads(lines[-1])


def _high_water_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


KINDS = {
    "bomb.docx": "notice",
    "lying.docx": "notice",
    "members.docx": "notice",
    "bomb.xlsx": "import",
    "lying.xlsx": "import",
    "members.xlsx": "import",
    "members_attachment.docx": "attachment",
}


if __name__ == "__main__":
    import os

    if sys.argv[1] == "measure":  # measure DIR CODE_ROOT [TIMEOUT]
        folder, root = sys.argv[2], sys.argv[3]
        timeout = int(sys.argv[4]) if len(sys.argv) > 4 else 120
        for name, kind in KINDS.items():
            print(name, kind, measure(kind, os.path.join(folder, name), root, timeout=timeout), flush=True)
        sys.exit(0)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    docx_data, xlsx_data = docx_bomb(), xlsx_bomb()
    files = {
        "bomb.docx": docx_data,
        "bomb.xlsx": xlsx_data,
        "members.docx": many_members(_blank_docx()),
        "members.xlsx": many_members(_blank_xlsx()),
        "lying.docx": lying_header(docx_data, "word/document.xml"),
        "lying.xlsx": lying_header(xlsx_data, "xl/worksheets/sheet1.xml"),
        "members_attachment.docx": many_members(_blank_docx(), count=150_000),
    }
    for name, data in files.items():
        with open(os.path.join(out, name), "wb") as handle:
            handle.write(data)
        print(name, len(data))
