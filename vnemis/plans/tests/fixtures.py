"""Programmes and tasks added to the test world: owners at each level of the tree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from vnemis.plans import services
from vnemis.plans.choices import TaskStatus
from vnemis.plans.models import PlanTask, Programme
from vnemis.testing.world import World


@dataclass
class Plans:
    """``mixed``: tasks of the Sở, of Bát Xát's office, of school A and of school B;
    ``only_b``: one task of school B; ``empty``: no task yet."""

    mixed: Programme
    only_b: Programme
    empty: Programme
    province_task: PlanTask
    batxat_task: PlanTask
    a_task: PlanTask
    b_task: PlanTask
    b_only_task: PlanTask


def build_plans(world: World) -> Plans:
    today = timezone.localdate()

    def programme(code: str, number: str) -> Programme:
        return services.programme_create(
            code=code,
            document_number=number,
            issued_on=dt.date(2022, 1, 30),
            issued_by="UBND tỉnh Lào Cai",
            title="Kế hoạch chuyển đổi số năm 2022",
            by=None,
        )

    mixed = programme("kh-49-2022", "49/KH-UBND")
    only_b = programme("kh-7-2023", "7/KH-UBND")
    empty = programme("qd-99-2024", "99/QĐ-UBND")
    task = services.plan_task_create
    province_task = task(
        programme=mixed,
        title="Phát triển Cổng thông tin điện tử ngành",
        owner=world.province,
        deadline=today - dt.timedelta(days=1),  # passed yesterday, not done: overdue
        by=None,
    )
    batxat_task = task(
        programme=mixed,
        title="Bồi dưỡng kỹ năng số cho giáo viên",
        owner=world.batxat,
        deadline=today,  # due today: not yet overdue
        by=None,
    )
    a_task = task(
        programme=mixed,
        title="Kết nối Internet cho trường học",
        owner=world.school_a,
        deadline=dt.date(2022, 12, 31),  # passed, but done: not overdue
        by=None,
    )
    b_task = task(
        programme=mixed,
        title="Mô hình lớp học thông minh",
        owner=world.school_b,
        deadline=None,  # no deadline: never overdue
        by=None,
    )
    b_only_task = task(
        programme=only_b,
        title="Số hóa học bạ",
        owner=world.school_b,
        deadline=dt.date(2023, 6, 30),
        by=None,
    )
    record = services.task_update_record
    record(task=province_task, on=dt.date(2022, 6, 15), status=TaskStatus.IN_PROGRESS, by=None)
    record(task=a_task, on=dt.date(2022, 3, 1), status=TaskStatus.IN_PROGRESS, by=None)
    record(
        task=a_task,
        on=dt.date(2022, 6, 15),
        status=TaskStatus.DONE,
        by=None,
        note="Đã kết nối cáp quang",
    )
    record(task=b_only_task, on=dt.date(2023, 7, 1), status=TaskStatus.NOT_DONE, by=None)
    return Plans(mixed, only_b, empty, province_task, batxat_task, a_task, b_task, b_only_task)
