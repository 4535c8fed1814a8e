"""Merging program lists: a prefecture's or municipality's own programs, and the packaged national list.

Pure functions over lists of Program; where the rows go in a workbook is decided by
xlplan.operations. Two kinds of rows are told apart by ID: packaged IDs (the national
list shipped with xlplan, N01…) belong to xlplan and are refreshed by `programs update`;
every other ID is the clerk's own (県 K01…, 市町村 …) and only `programs import` or the
clerk changes it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xlplan.core.model import Program


@dataclass(frozen=True)
class ProgramMerge:
    """What to change in a programs table. Rows are named by program ID."""

    replace: dict[str, Program] = field(default_factory=dict)  # rows already in the table, new values
    append: list[Program] = field(default_factory=list)        # new rows, in order
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (id, Japanese reason)

    @property
    def changes(self) -> int:
        return len(self.replace) + len(self.append)


def _same(a: Program, b: Program) -> bool:
    return a.model_dump() == b.model_dump()


def import_programs(current: list[Program], incoming: list[Program], packaged_ids: set[str]) -> ProgramMerge:
    """Merge a file of own programs into a table: new IDs are added, known own IDs updated.

    Packaged IDs are never taken from a file (a prefecture's copy may be older than the
    packaged list): they are skipped with a reason that points at `programs update`.
    """
    by_id = {p.id: p for p in current}
    merge = ProgramMerge()
    seen: set[str] = set()
    for p in incoming:
        if p.id in seen:
            merge.skipped.append((p.id, f"ID「{p.id}」がファイルの中で2回以上出てくるため、最初の行だけを取り込みました。"))
            continue
        seen.add(p.id)
        if p.id in packaged_ids:
            merge.skipped.append((p.id, f"ID「{p.id}」は国の施策（同梱の一覧）のIDです。国の施策は "
                                        "xlplan programs update で更新します。県・市町村の施策には K01 のような別のIDを付けてください。"))
            continue
        old = by_id.get(p.id)
        if old is None:
            merge.append.append(p)
        elif _same(old, p):
            merge.unchanged.append(p.id)
        else:
            merge.replace[p.id] = p
    return merge


def refresh_packaged(current: list[Program], packaged: list[Program]) -> ProgramMerge:
    """Bring a table's national rows to the packaged list; the clerk's own rows are not touched.

    A row whose ID is packaged but whose 区分 is not 国 was typed by the clerk for their own
    program before that ID was packaged: it is left alone and reported.
    """
    by_id = {p.id: p for p in current}
    merge = ProgramMerge()
    for p in packaged:
        old = by_id.get(p.id)
        if old is None:
            merge.append.append(p)
        elif old.level != p.level:
            merge.skipped.append((p.id, f"ID「{p.id}」の行は区分が「{old.level}」の施策（{old.name}）で、同梱の国の施策"
                                        f"「{p.name}」と同じIDです。その行は変更していません。自団体の施策のIDを付け替えてから、"
                                        "もう一度 xlplan programs update を実行してください。"))
        elif _same(old, p):
            merge.unchanged.append(p.id)
        else:
            merge.replace[p.id] = p
    return merge


def own_programs(programs: list[Program], packaged_ids: set[str]) -> list[Program]:
    """The programs that are not in the packaged list (a prefecture's or municipality's own)."""
    return [p for p in programs if p.id not in packaged_ids]


def apply_merge(current: list[Program], merge: ProgramMerge) -> list[Program]:
    """The programs after the merge, in table order: replaced in place, new ones at the end."""
    return [merge.replace.get(p.id, p) for p in current] + list(merge.append)
