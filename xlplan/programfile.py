"""Program lists as files: read and write CSV, YAML and Excel (.xlsx) lists of programs.

A prefecture hands one file to all its municipalities (`xlplan programs export`), and
each imports it (`xlplan programs import`). Every cell is read by the same rules as the
国・県の施策 sheet; a file with any unreadable cell is refused as a whole, with one
Japanese line per problem naming its row and column, so nothing is half imported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from xlplan.core.model import Program
from xlplan.errors import XlplanUserError
from xlplan.fileio import atomic_write_bytes, atomic_write_text, special_file_kind
from xlplan.layout import sheets as L
from xlplan.layout.a1 import col_letter
from xlplan.layout.cells import CellError, is_blank, read_text
from xlplan.layout.read_programs import program_from_cells
from xlplan.layout.sheet_values import program_row

FORMATS = (".csv", ".yaml", ".yml", ".xlsx", ".xlsm")
MAX_PROBLEMS = 30


class ProgramFileError(XlplanUserError):
    """A programs file that cannot be read (CLI exit code 2)."""


def _header_keys() -> dict[str, str]:
    """Every header a file may use for a column: the sheet's, the model's field name and its title."""
    keys: dict[str, str] = {}
    for column in L.PROGRAMS_TABLE.columns:
        field = column.key.removeprefix("program.")
        keys[column.header] = column.key
        keys[field] = column.key
        title = Program.model_fields[field].title
        if title:
            keys[title] = column.key
    keys.update({"補助率・充当率": "program.rate", "所管": "program.ministry", "所管府省庁": "program.ministry",
                 "府省": "program.ministry", "有効年度から": "program.active_from_fy", "有効年度まで": "program.active_to_fy",
                 "後継ID": "program.successor"})
    return keys


HEADER_KEYS = _header_keys()


def _key_of(header: str) -> str | None:
    return HEADER_KEYS.get(header.strip().replace("\n", "").replace(" ", "").replace("　", "")) or HEADER_KEYS.get(header.strip())


# ------------------------------------------------------------------ reading

def load_programs(path: Path) -> list[Program]:
    """The programs in a CSV, YAML or Excel file; raises ProgramFileError listing every bad cell."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ProgramFileError(f"「{path.name}」は読み込めない形式です。CSV（.csv）、YAML（.yaml）、Excel（.xlsx）のファイルを指定してください。")
    kind = special_file_kind(path)
    if kind is not None:
        raise ProgramFileError(f"「{path}」は通常のファイルではありません（{kind}）。施策の一覧のファイルを指定してください。")
    if not path.is_file():
        raise ProgramFileError(f"ファイル「{path}」が見つかりません。パスを確認してください。")
    if suffix == ".csv":
        return _from_table(_csv_rows(path), path.name)
    if suffix in (".yaml", ".yml"):
        return _from_records(_yaml_records(path), path.name)
    return _from_table(_xlsx_rows(path), path.name)


def _csv_rows(path: Path) -> list[list[Any]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp932"):  # Excel's 「CSV UTF-8」 and its plain 「CSV」 (Shift_JIS)
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ProgramFileError(f"「{path.name}」の文字コードを読めません。Excel で「CSV UTF-8（コンマ区切り）」として保存し直してください。")
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]


def _xlsx_rows(path: Path) -> list[list[Any]]:
    from xlplan.adapters.xlsx_file import read_values, sheet_names

    names = sheet_names(path)
    sheet = L.PROGRAMS if L.PROGRAMS in names else names[0]
    return [list(r) for r in read_values(path, [sheet])[sheet]]


def _yaml_records(path: Path) -> list[Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ProgramFileError(f"「{path.name}」は UTF-8 のテキストではありません。UTF-8 で保存し直してください。") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ProgramFileError(f"「{path.name}」{f'{mark.line + 1}行目' if mark else ''}の書式が正しくありません: {exc}") from None
    if isinstance(data, dict) and isinstance(data.get("programs"), list):
        data = data["programs"]
    if not isinstance(data, list):
        raise ProgramFileError(f"「{path.name}」は施策の一覧ではありません。「- id: K01」で始まる項目を並べるか、programs: の下に並べてください。")
    return data


def _find_header(rows: list[list[Any]], source: str) -> int:
    for i, row in enumerate(rows[:20]):
        keys = {_key_of(str(v)) for v in row if isinstance(v, str)}
        if {"program.id", "program.name"} <= keys:
            return i
    raise ProgramFileError(f"「{source}」に見出しの行が見つかりません。1行目に「ID」「施策名」などの見出しを入れてください"
                           f"（使える見出し: {'、'.join(c.header for c in L.PROGRAMS_TABLE.columns)}）。")


def _from_table(rows: list[list[Any]], source: str) -> list[Program]:
    header_row = _find_header(rows, source)
    columns: dict[str, int] = {}
    problems = []
    for col, value in enumerate(rows[header_row]):
        text = read_text(value) if not is_blank(value) else ""
        if not text:
            continue
        key = _key_of(text)
        where = f"{header_row + 1}行目・{col_letter(col)}列"
        if key is None:
            problems.append(f"{where}: 見出し「{text}」は読めません。使える見出し: "
                            f"{'、'.join(c.header for c in L.PROGRAMS_TABLE.columns)}。不要な列は削除してください。")
        elif key in columns:
            problems.append(f"{where}: 見出し「{text}」が {col_letter(columns[key])}列と重なっています。")
        else:
            columns[key] = col
    records = []
    for r in range(header_row + 1, len(rows)):
        row = rows[r]
        if all(is_blank(v) for v in row):
            continue
        cells = {key: (row[col] if col < len(row) else None) for key, col in columns.items()}
        records.append((f"{r + 1}行目", cells, {key: f"{col_letter(col)}列（{_header(key)}）" for key, col in columns.items()}))
    return _convert(records, source, problems)


def _from_records(data: list[Any], source: str) -> list[Program]:
    records, problems = [], []
    for i, item in enumerate(data, start=1):
        where = f"{i}件目"
        if not isinstance(item, dict):
            problems.append(f"{where}: 「id: K01」のような項目の集まりではありません。")
            continue
        cells, labels = {}, {}
        for name, value in item.items():
            key = _key_of(str(name))
            if key is None:
                problems.append(f"{where}: 項目「{name}」は読めません。使える項目: "
                                f"{'、'.join(c.key.removeprefix('program.') for c in L.PROGRAMS_TABLE.columns)}。")
                continue
            cells[key] = value
            labels[key] = f"「{name}」"
        records.append((where, cells, labels))
    return _convert(records, source, problems)


def _header(key: str) -> str:
    return L.PROGRAMS_TABLE.columns[L.PROGRAMS_TABLE.col(key)].header


def _convert(records: Iterable[tuple[str, dict[str, Any], dict[str, str]]], source: str, problems: list[str]) -> list[Program]:
    programs: list[Program] = []
    for where, cells, labels in records:
        def conv(key, reader, default=None, cells=cells, labels=labels, where=where):
            value = cells.get(key)
            if value is None or value == "":
                return default
            try:
                return reader(value)
            except (CellError, ValueError) as exc:
                problems.append(f"{where}・{labels.get(key, _header(key))}: {exc}")
                return default

        program, missing = program_from_cells(conv)
        if program is None:
            problems.append(f"{where}・{labels.get(missing, _header(missing))}: 空欄です。ID と施策名は必ず入力してください。")
        else:
            programs.append(program)
    if problems:
        shown = problems[:MAX_PROBLEMS]
        more = f"\n  ほか {len(problems) - MAX_PROBLEMS}件" if len(problems) > MAX_PROBLEMS else ""
        raise ProgramFileError(f"「{source}」を取り込めません。次の箇所を直してください（ブックは変更していません）:\n"
                               + "\n".join(f"  - {p}" for p in shown) + more)
    if not programs:
        raise ProgramFileError(f"「{source}」に施策の行がありません。")
    return programs


# ------------------------------------------------------------------ writing

def save_programs(programs: list[Program], path: Path, *, overwrite: bool = True) -> Path:
    """Write the programs as CSV (UTF-8 with BOM, for Excel), YAML or .xlsx, chosen by the extension."""
    path = Path(path)
    suffix = path.suffix.lower()
    headers = [c.header for c in L.PROGRAMS_TABLE.columns]
    rows = [["" if v is None else v for v in program_row(p)] for p in programs]
    if suffix == ".csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(headers)
        writer.writerows(rows)
        atomic_write_bytes(path, buffer.getvalue().encode("utf-8-sig"), overwrite=overwrite)
    elif suffix in (".yaml", ".yml"):
        data = [p.model_dump(mode="json", exclude_none=True, exclude_defaults=True) | {"id": p.id, "name": p.name}
                for p in programs]
        atomic_write_text(path, "# 国・県の施策（xlplan programs import で取り込めます）\n"
                          + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), overwrite=overwrite)
    elif suffix == ".xlsx":
        atomic_write_bytes(path, _xlsx_bytes(headers, rows), overwrite=overwrite)
    else:
        raise ProgramFileError(f"「{path.name}」の拡張子は .csv、.yaml、.xlsx のどれかにしてください。")
    return path


def _xlsx_bytes(headers: list[str], rows: list[list[Any]]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                      "strings_to_urls": False})
    ws = wb.add_worksheet(L.PROGRAMS)
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True, "valign": "top"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    for col, column in enumerate(L.PROGRAMS_TABLE.columns):
        ws.set_column(col, col, column.width, wrap)
        ws.write_string(0, col, headers[col], bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            ws.write_string(r, c, str(value))
    ws.freeze_panes(1, 3)
    wb.close()
    return buffer.getvalue()
