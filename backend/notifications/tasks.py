"""Human tasks: a phone call when a message cannot reach a person, a home visit (第二十五条).

A task is unique by its dedupe key (the fact behind it), so a retry or a second worker never
opens it twice; it stays open until someone in scope marks it done, with a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from backend import clock
from backend.accounts.access import Actor, require_role
from backend.accounts.models import Role
from backend.classes.models import ClassInstructor, TrainingClass
from backend.classes.scope import classes_in_scope
from backend.errors import Conflict, NotFound
from backend.notifications.models import HumanTask, TaskKind, TaskStatus

TASK_READERS = frozenset(
    {Role.INSTRUCTOR, Role.CLASS_TEACHER, Role.STAFF, Role.INSTITUTION_ADMIN, Role.HR_ADMIN}
)
TASK_WORKERS = frozenset({Role.INSTRUCTOR, Role.CLASS_TEACHER, Role.STAFF, Role.INSTITUTION_ADMIN})


async def open_task(
    *,
    dedupe_key: str,
    kind: TaskKind,
    reason: str,
    due_date: date,
    trainee_id: int | None = None,
    class_id: int | None = None,
    assignee_id: int | None = None,
) -> HumanTask:
    """Open a task unless one with this key exists (then that one is returned)."""
    try:
        async with in_transaction():  # a savepoint inside the caller's transaction
            return await HumanTask.create(
                dedupe_key=dedupe_key,
                kind=kind,
                reason=reason,
                due_date=due_date,
                trainee_id=trainee_id,
                training_class_id=class_id,
                assignee_id=assignee_id,
                created_at=clock.now(),
            )
    except IntegrityError:
        return await HumanTask.get(dedupe_key=dedupe_key)


async def instructor_for(class_id: int | None) -> int | None:
    """The instructor who gets a class's tasks: the lead, else the first assigned."""
    if class_id is None:
        return None
    link = (
        await ClassInstructor.filter(training_class_id=class_id).order_by("-is_lead", "id").first()
    )
    return link.instructor_id if link else None


async def _task_filter(actor: Actor, roles: frozenset[Role]) -> Q:
    class_ids = await TrainingClass.filter(await classes_in_scope(actor, roles)).values_list(
        "id", flat=True
    )
    condition = Q(training_class_id__in=list(class_ids))
    if actor.instructor_id is not None and Role.INSTRUCTOR in roles:
        condition |= Q(assignee_id=actor.instructor_id)
    if Role.HR_ADMIN in roles and actor.hr_covers(""):  # city-wide HR: tasks of no class too
        condition |= Q(training_class_id__isnull=True)
    return condition


@dataclass(frozen=True)
class TaskPage:
    """A page of tasks, the soonest due first."""

    total: int
    items: list[HumanTask]


async def list_tasks(
    *,
    actor: Actor,
    status: TaskStatus | None,
    kind: TaskKind | None,
    overdue_only: bool,
    offset: int,
    limit: int,
) -> TaskPage:
    """Tasks of the classes in the actor's scope (and those assigned to the actor)."""
    require_role(actor, TASK_READERS)
    query = HumanTask.filter(await _task_filter(actor, TASK_READERS))
    if status is not None:
        query = query.filter(status=status)
    if kind is not None:
        query = query.filter(kind=kind)
    if overdue_only:
        query = query.filter(status=TaskStatus.OPEN, due_date__lt=clock.today())
    total = await query.count()
    items = await query.order_by("due_date", "id").offset(offset).limit(limit)
    return TaskPage(total=total, items=items)


async def complete_task(*, actor: Actor, task_id: int, note: str) -> HumanTask:
    """Mark a task done with a note; only people who can do the work may close it."""
    require_role(actor, TASK_WORKERS)
    async with in_transaction():
        task = await (
            HumanTask.filter(await _task_filter(actor, TASK_WORKERS), id=task_id)
            .select_for_update()
            .first()
        )
        if task is None:
            raise NotFound("任务不存在或不在您的管理范围内", code="TASK_NOT_FOUND")
        if task.status is TaskStatus.DONE:
            raise Conflict("该任务已完成", code="TASK_ALREADY_DONE")
        await _mark_done(task, user_id=actor.user_id, note=note)
    return task


async def _mark_done(task: HumanTask, *, user_id: int | None, note: str) -> None:
    task.status = TaskStatus.DONE
    task.done_at = clock.now()
    task.done_by_id = user_id
    task.note = note
    await task.save(update_fields=["status", "done_at", "done_by_id", "note"])


async def close_open_task(*, dedupe_key: str, user_id: int | None, note: str) -> HumanTask | None:
    """Mark the task with this key done if it is open (the work was logged elsewhere)."""
    task = await HumanTask.filter(dedupe_key=dedupe_key, status=TaskStatus.OPEN).first()
    if task is not None:
        await _mark_done(task, user_id=user_id, note=note)
    return task
