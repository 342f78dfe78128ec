"""模拟实训 and teaching services under /api/v1/practice (第二十一条(二)(四), 第二十二条).

Thin: parse, call a practice service, shape the reply. Bodies are the pydantic models of
`backend.practice.schemas`.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field
from sanic import Blueprint, Request
from sanic.response import HTTPResponse, empty, json, raw
from sanic_ext import openapi

from backend.accounts.access import Actor
from backend.errors import InvalidInput
from backend.practice import interviews, materials, online_tests, service
from backend.practice.schemas import (
    AttemptAnswersIn,
    AttemptGradeIn,
    AttemptListOut,
    AttemptOut,
    BankImportOut,
    BankIn,
    BankListOut,
    BankOut,
    BankQuestionIn,
    BankQuestionListOut,
    BankQuestionOut,
    ClassInterviewProgressOut,
    InterestAnswersIn,
    InterestReportOut,
    InterestTestOut,
    InterviewAnswerIn,
    InterviewAnswerOut,
    InterviewListOut,
    InterviewOut,
    InterviewProgressOut,
    InterviewQuestionSetOut,
    InterviewReviewIn,
    InterviewStartIn,
    MaterialLinkIn,
    MaterialListOut,
    MaterialOut,
    MyMaterialsOut,
    OnlineTestIn,
    OnlineTestListOut,
    OnlineTestOut,
    PracticePage,
    ResumeApplicationOut,
    ResumeApplyIn,
    ResumeContent,
    ResumeOut,
    TestAllowIn,
    TestAllowOut,
    TestAssessmentIn,
    TestAssessmentOut,
)
from miniprogram_api.auth import requires
from miniprogram_api.validation import Text, json_body, query_args, response_model

bp = Blueprint("practice", url_prefix="/practice")


def reply(model: BaseModel, status: int = 200) -> HTTPResponse:
    """A pydantic model as the JSON reply."""
    return json(model.model_dump(mode="json"), status=status, ensure_ascii=False)


def pdf(data: bytes, filename: str) -> HTTPResponse:
    """A PDF download."""
    return raw(
        data,
        content_type="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{filename}",
            "Cache-Control": "no-store",
        },
    )


class QuestionSetQuery(BaseModel):
    """Which occupation's questions."""

    model_config = ConfigDict(extra="forbid")
    occupation_code: Text = Field(min_length=1, max_length=16)


# -- career interest ---------------------------------------------------------------------------


@bp.get("/interest-test")
@openapi.summary("职业兴趣测评题目（30题，1-5分）")
@response_model(InterestTestOut)
@requires(*service.TRAINEES)
async def interest_test(request: Request, actor: Actor) -> HTTPResponse:
    """The self-assessment's statements and scale."""
    return reply(service.interest_test())


@bp.post("/interest-test")
@openapi.summary("提交职业兴趣测评：得到报告，并补全求职意向中空白的部分")
@response_model(InterestReportOut, status=201)
@requires(*service.TRAINEES)
@json_body(InterestAnswersIn)
async def take_interest_test(
    request: Request, body: InterestAnswersIn, actor: Actor
) -> HTTPResponse:
    """Score the answers; the report links to catalogue occupations."""
    return reply(await service.take_interest_test(actor=actor, answers=body.answers), 201)


@bp.get("/interest-test/result")
@openapi.summary("最近一次职业兴趣测评报告")
@response_model(InterestReportOut)
@requires(*service.TRAINEES)
async def interest_result(request: Request, actor: Actor) -> HTTPResponse:
    """The latest report."""
    return reply(await service.latest_interest_report(actor=actor))


# -- résumé ------------------------------------------------------------------------------------


@bp.get("/resume")
@openapi.summary("我的简历（未保存时由求职意向和花名册生成草稿）")
@response_model(ResumeOut)
@requires(*service.TRAINEES)
async def get_resume(request: Request, actor: Actor) -> HTTPResponse:
    """The résumé or a fresh draft."""
    return reply(await service.my_resume(actor=actor))


@bp.put("/resume")
@openapi.summary("保存简历")
@response_model(ResumeOut)
@requires(*service.TRAINEES)
@json_body(ResumeContent)
async def put_resume(request: Request, body: ResumeContent, actor: Actor) -> HTTPResponse:
    """Save the trainee's edits."""
    return reply(await service.save_resume(actor=actor, content=body))


@bp.get("/resume.pdf")
@openapi.summary("导出简历PDF（中文字体子集嵌入）")
@requires(*service.TRAINEES)
async def resume_pdf(request: Request, actor: Actor) -> HTTPResponse:
    """The résumé as PDF."""
    return pdf(await service.resume_pdf(actor=actor), "resume.pdf")


@bp.post("/jobs/<posting_id:int>/apply")
@openapi.summary("附简历投递岗位")
@response_model(ResumeApplicationOut, status=201)
@requires(*service.TRAINEES)
@json_body(ResumeApplyIn)
async def apply_with_resume(
    request: Request, posting_id: int, body: ResumeApplyIn, actor: Actor
) -> HTTPResponse:
    """Apply to a posting with the current résumé attached."""
    result = await service.apply_with_resume(
        actor=actor, posting_id=posting_id, message=body.message
    )
    return reply(result, 201)


@bp.get("/applications/<application_id:int>/resume.pdf")
@openapi.summary("投递时附带的简历（PDF）")
@requires(*service.TRAINEES)
async def attached_resume(request: Request, application_id: int, actor: Actor) -> HTTPResponse:
    """The résumé as it was attached."""
    data = await service.attached_resume_pdf(actor=actor, application_id=application_id)
    return pdf(data, "resume.pdf")


# -- mock interviews ---------------------------------------------------------------------------


@bp.get("/interview-questions")
@openapi.summary("按岗位和阶段的模拟面试题")
@response_model(InterviewQuestionSetOut)
@requires(*interviews.READERS)
@query_args(QuestionSetQuery)
async def question_set(request: Request, query: QuestionSetQuery, actor: Actor) -> HTTPResponse:
    """Every question of an occupation's set."""
    return reply(interviews.interview_questions(occupation_code=query.occupation_code))


@bp.post("/interviews")
@openapi.summary("开始一次模拟面试")
@response_model(InterviewOut, status=201)
@requires(*interviews.INTERVIEWEES)
@json_body(InterviewStartIn)
async def start_interview(request: Request, body: InterviewStartIn, actor: Actor) -> HTTPResponse:
    """Open a session for the target occupation."""
    result = await interviews.start_interview(actor=actor, occupation_code=body.occupation_code)
    return reply(result, 201)


@bp.get("/interviews")
@openapi.summary("我的模拟面试")
@response_model(InterviewListOut)
@requires(*interviews.INTERVIEWEES)
@query_args(PracticePage)
async def my_interviews(request: Request, query: PracticePage, actor: Actor) -> HTTPResponse:
    """The trainee's sessions, newest first."""
    result = await interviews.my_interviews(actor=actor, limit=query.limit, offset=query.offset)
    return reply(result)


@bp.get("/interviews/progress")
@openapi.summary("我的模拟面试进步情况")
@response_model(InterviewProgressOut)
@requires(*interviews.INTERVIEWEES)
async def my_progress(request: Request, actor: Actor) -> HTTPResponse:
    """Scores across finished sessions."""
    return reply(await interviews.my_progress(actor=actor))


@bp.get("/interviews/<interview_id:int>")
@openapi.summary("模拟面试详情（学员本人、本班讲师）")
@response_model(InterviewOut)
@requires(*interviews.READERS)
async def interview_detail(request: Request, interview_id: int, actor: Actor) -> HTTPResponse:
    """A session with answers, feedback and reviews."""
    return reply(await interviews.interview_detail(actor=actor, interview_id=interview_id))


@bp.post("/interviews/<interview_id:int>/answers")
@openapi.summary("回答一道题并获得点评（大模型或基础模式）")
@response_model(InterviewAnswerOut, status=201)
@requires(*interviews.INTERVIEWEES)
@json_body(InterviewAnswerIn)
async def answer(
    request: Request, interview_id: int, body: InterviewAnswerIn, actor: Actor
) -> HTTPResponse:
    """Record an answer and return its feedback."""
    result = await interviews.answer_question(
        actor=actor, interview_id=interview_id, question_index=body.question_index, text=body.text
    )
    return reply(result, 201)


@bp.post("/interviews/<interview_id:int>/finish")
@openapi.summary("结束模拟面试，得到整场点评")
@response_model(InterviewOut)
@requires(*interviews.INTERVIEWEES)
async def finish(request: Request, interview_id: int, actor: Actor) -> HTTPResponse:
    """Close the session."""
    return reply(await interviews.finish_interview(actor=actor, interview_id=interview_id))


@bp.post("/interviews/<interview_id:int>/reviews")
@openapi.summary("讲师按评分表点评模拟面试")
@response_model(InterviewOut)
@requires(*interviews.REVIEWERS)
@json_body(InterviewReviewIn)
async def review(
    request: Request, interview_id: int, body: InterviewReviewIn, actor: Actor
) -> HTTPResponse:
    """Add the instructor's rubric scores."""
    result = await interviews.review_interview(actor=actor, interview_id=interview_id, review=body)
    return reply(result)


@bp.get("/classes/<class_id:int>/interview-progress")
@openapi.summary("本班学员模拟面试进步情况（讲师）")
@response_model(ClassInterviewProgressOut)
@requires(*interviews.REVIEWERS)
@query_args(PracticePage)
async def class_progress(
    request: Request, class_id: int, query: PracticePage, actor: Actor
) -> HTTPResponse:
    """Per trainee: sessions, first, best and latest score; class averages."""
    result = await interviews.class_progress(
        actor=actor, class_id=class_id, limit=query.limit, offset=query.offset
    )
    return reply(result)


# -- question banks and online tests (第二十二条) ----------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(request: Request, field: str = "file") -> bytes:
    """The uploaded file: the multipart `file` field, or the raw body."""
    content_type = (request.content_type or "").split(";")[0].strip()
    files = request.files if content_type == "multipart/form-data" else None
    part = files.get(field) if files else None
    data = part.body if part is not None else request.body
    if not data:
        raise InvalidInput("请上传文件", code="FILE_MISSING")
    return bytes(data)


@bp.post("/banks")
@openapi.summary("新建题库（讲师；人社部门建的题库供所有讲师使用）")
@response_model(BankOut, status=201)
@requires(*online_tests.BANK_KEEPERS)
@json_body(BankIn)
async def create_bank(request: Request, body: BankIn, actor: Actor) -> HTTPResponse:
    """A new question bank."""
    return reply(await online_tests.create_bank(actor=actor, title=body.title), 201)


@bp.get("/banks")
@openapi.summary("可用的题库（自己的和共享的）")
@response_model(BankListOut)
@requires(*online_tests.BANK_KEEPERS)
@query_args(PracticePage)
async def list_banks(request: Request, query: PracticePage, actor: Actor) -> HTTPResponse:
    """Banks the caller may use."""
    result = await online_tests.usable_banks(actor=actor, limit=query.limit, offset=query.offset)
    return reply(result)


@bp.get("/banks/<bank_id:int>/questions")
@openapi.summary("题库中的题目")
@response_model(BankQuestionListOut)
@requires(*online_tests.BANK_KEEPERS)
@query_args(PracticePage)
async def bank_questions(
    request: Request, bank_id: int, query: PracticePage, actor: Actor
) -> HTTPResponse:
    """Questions of a bank."""
    result = await online_tests.bank_questions(
        actor=actor, bank_id=bank_id, limit=query.limit, offset=query.offset
    )
    return reply(result)


@bp.post("/banks/<bank_id:int>/questions")
@openapi.summary("添加一道题（单选、多选、判断、简答）")
@response_model(BankQuestionOut, status=201)
@requires(*online_tests.BANK_KEEPERS)
@json_body(BankQuestionIn)
async def add_question(
    request: Request, bank_id: int, body: BankQuestionIn, actor: Actor
) -> HTTPResponse:
    """One question into the caller's bank."""
    return reply(await online_tests.add_question(actor=actor, bank_id=bank_id, data=body), 201)


@bp.post("/banks/<bank_id:int>/import")
@openapi.summary("导入题库 xlsx：全部无误才导入，否则列出每一行错误")
@openapi.body(  # `upload` takes the raw body whatever its type: say so (schemathesis sends it)
    {
        XLSX: {"type": "string", "format": "binary"},
        "application/octet-stream": {"type": "string", "format": "binary"},
    }
)
@response_model(BankImportOut)
@requires(*online_tests.BANK_KEEPERS)
async def import_bank(request: Request, bank_id: int, actor: Actor) -> HTTPResponse:
    """Import a workbook of questions."""
    result = await online_tests.import_questions(actor=actor, bank_id=bank_id, xlsx=upload(request))
    return reply(result, 201 if result.imported else 422)


@bp.post("/classes/<class_id:int>/tests")
@openapi.summary("为本班设置限时在线测试（讲师）")
@response_model(OnlineTestOut, status=201)
@requires(*online_tests.TEST_SETTERS)
@json_body(OnlineTestIn)
async def set_test(
    request: Request, class_id: int, body: OnlineTestIn, actor: Actor
) -> HTTPResponse:
    """A timed test from a bank."""
    return reply(await online_tests.set_test(actor=actor, class_id=class_id, data=body), 201)


@bp.get("/classes/<class_id:int>/tests")
@openapi.summary("本班的在线测试")
@response_model(OnlineTestListOut)
@requires(*online_tests.CLASS_READERS)
@query_args(PracticePage)
async def class_tests(
    request: Request, class_id: int, query: PracticePage, actor: Actor
) -> HTTPResponse:
    """Tests of a class."""
    result = await online_tests.class_tests(
        actor=actor, class_id=class_id, limit=query.limit, offset=query.offset
    )
    return reply(result)


@bp.post("/tests/<test_id:int>/attempts")
@openapi.summary("开始（或继续）作答")
@response_model(AttemptOut, status=201)
@requires(*online_tests.TAKERS)
async def start_attempt(request: Request, test_id: int, actor: Actor) -> HTTPResponse:
    """Start an attempt, or return the one in progress."""
    return reply(await online_tests.start_attempt(actor=actor, test_id=test_id), 201)


@bp.get("/tests/<test_id:int>/attempts")
@openapi.summary("测试的全部作答（本班讲师、班主任、机构、人社）")
@response_model(AttemptListOut)
@requires(*online_tests.RESULT_READERS)
@query_args(PracticePage)
async def attempts_of_test(
    request: Request, test_id: int, query: PracticePage, actor: Actor
) -> HTTPResponse:
    """Attempts with scores."""
    result = await online_tests.attempts_of_test(
        actor=actor, test_id=test_id, limit=query.limit, offset=query.offset
    )
    return reply(result)


@bp.get("/attempts/<attempt_id:int>")
@openapi.summary("作答详情（学员本人或本班人员）")
@response_model(AttemptOut)
@requires(*online_tests.CLASS_READERS)
async def attempt_detail(request: Request, attempt_id: int, actor: Actor) -> HTTPResponse:
    """An attempt with its answers and scores."""
    return reply(await online_tests.attempt_detail(actor=actor, attempt_id=attempt_id))


@bp.put("/attempts/<attempt_id:int>/answers")
@openapi.summary("保存作答进度")
@response_model(AttemptOut)
@requires(*online_tests.TAKERS)
@json_body(AttemptAnswersIn)
async def save_answers(
    request: Request, attempt_id: int, body: AttemptAnswersIn, actor: Actor
) -> HTTPResponse:
    """Keep the answers so far."""
    result = await online_tests.save_answers(
        actor=actor, attempt_id=attempt_id, answers=body.answers
    )
    return reply(result)


@bp.post("/attempts/<attempt_id:int>/submit")
@openapi.summary("交卷：客观题自动评分，简答题待讲师评分")
@response_model(AttemptOut)
@requires(*online_tests.TAKERS)
@json_body(AttemptAnswersIn)
async def submit_attempt(
    request: Request, attempt_id: int, body: AttemptAnswersIn, actor: Actor
) -> HTTPResponse:
    """Submit the attempt."""
    result = await online_tests.submit_attempt(
        actor=actor, attempt_id=attempt_id, answers=body.answers
    )
    return reply(result)


@bp.post("/attempts/<attempt_id:int>/grade")
@openapi.summary("讲师按评分标准为简答题评分")
@response_model(AttemptOut)
@requires(*online_tests.TEST_SETTERS)
@json_body(AttemptGradeIn)
async def grade_attempt(
    request: Request, attempt_id: int, body: AttemptGradeIn, actor: Actor
) -> HTTPResponse:
    """Score the short answers."""
    result = await online_tests.grade_attempt(
        actor=actor, attempt_id=attempt_id, grades=body.grades
    )
    return reply(result)


@bp.post("/tests/<test_id:int>/allowances")
@openapi.summary("允许学员重考（增加作答次数）")
@response_model(TestAllowOut)
@requires(*online_tests.TEST_SETTERS)
@json_body(TestAllowIn)
async def allow_more(
    request: Request, test_id: int, body: TestAllowIn, actor: Actor
) -> HTTPResponse:
    """More attempts for one trainee."""
    result = await online_tests.allow_more_attempts(
        actor=actor, test_id=test_id, trainee_id=body.trainee_id, extra=body.extra_attempts
    )
    return reply(result)


@bp.post("/tests/<test_id:int>/assessment")
@openapi.summary("将测试成绩计入考核（第二十二条；按设置与实操成绩合成）")
@response_model(TestAssessmentOut)
@requires(*online_tests.TEST_SETTERS)
@json_body(TestAssessmentIn)
async def feed_assessment(
    request: Request, test_id: int, body: TestAssessmentIn, actor: Actor
) -> HTTPResponse:
    """Feed the graded results into the class's assessment."""
    practical = {p.trainee_id: Decimal(str(p.score)) for p in body.practical_scores}
    result = await online_tests.feed_assessment(actor=actor, test_id=test_id, practical=practical)
    return reply(result)


@bp.get("/tests/<test_id:int>/assessment")
@openapi.summary("测试计入考核的结果与合成方式")
@response_model(TestAssessmentOut)
@requires(*online_tests.RESULT_READERS)
async def assessment_of_test(request: Request, test_id: int, actor: Actor) -> HTTPResponse:
    """What the test fed into the assessment."""
    return reply(await online_tests.assessment_of_test(actor=actor, test_id=test_id))


# -- course materials --------------------------------------------------------------------------


@bp.post("/sessions/<session_id:int>/materials")
@openapi.summary("上传课次资料（PDF、课件、图片；按内容判断类型，限制大小）")
@openapi.body(
    {
        "multipart/form-data": {
            "type": "object",
            "properties": {
                "file": {"type": "string", "format": "binary"},
                "title": {"type": "string"},
            },
            "required": ["file"],
        }
    }
)
@response_model(MaterialOut, status=201)
@requires(*materials.PUBLISHERS)
async def upload_material(request: Request, session_id: int, actor: Actor) -> HTTPResponse:
    """A file for a session, published by an instructor of the class."""
    content_type = (request.content_type or "").split(";")[0].strip()
    files = request.files if content_type == "multipart/form-data" else None
    part = files.get("file") if files else None
    title = str(request.form.get("title", "") or "") if request.form else ""
    result = await materials.publish_file(
        actor=actor,
        session_id=session_id,
        title=title,
        filename=(part.name or "") if part else "",
        data=part.body if part else b"",
    )
    return reply(result, 201)


@bp.post("/sessions/<session_id:int>/links")
@openapi.summary("发布课次链接资料")
@response_model(MaterialOut, status=201)
@requires(*materials.PUBLISHERS)
@json_body(MaterialLinkIn)
async def add_link(
    request: Request, session_id: int, body: MaterialLinkIn, actor: Actor
) -> HTTPResponse:
    """A link for a session."""
    result = await materials.publish_link(
        actor=actor, session_id=session_id, title=body.title, url=body.url
    )
    return reply(result, 201)


@bp.get("/sessions/<session_id:int>/materials")
@openapi.summary("课次资料（本班学员和人员）")
@response_model(MaterialListOut)
@requires(*materials.READERS)
@query_args(PracticePage)
async def session_materials(
    request: Request, session_id: int, query: PracticePage, actor: Actor
) -> HTTPResponse:
    """Materials of a session."""
    result = await materials.session_materials(
        actor=actor, session_id=session_id, limit=query.limit, offset=query.offset
    )
    return reply(result)


@bp.get("/materials/<material_id:int>/file")
@openapi.summary("下载资料文件")
@requires(*materials.READERS)
async def material_file(request: Request, material_id: int, actor: Actor) -> HTTPResponse:
    """The stored file, with its checked type, as an attachment."""
    material, data = await materials.material_file(actor=actor, material_id=material_id)
    from urllib.parse import quote

    return raw(
        data,
        content_type=material.content_type,
        headers={
            "Content-Disposition": "attachment; filename*=UTF-8''"
            + quote(material.original_name or "material"),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@bp.delete("/materials/<material_id:int>")
@openapi.summary("删除资料（本班讲师）")
@requires(*materials.PUBLISHERS)
async def remove_material(request: Request, material_id: int, actor: Actor) -> HTTPResponse:
    """Remove a material and its file."""
    await materials.remove_material(actor=actor, material_id=material_id)
    return empty()


@bp.get("/my-materials")
@openapi.summary("我的课表与各课次资料")
@response_model(MyMaterialsOut)
@requires(*materials.LEARNERS)
@query_args(PracticePage)
async def my_materials(request: Request, query: PracticePage, actor: Actor) -> HTTPResponse:
    """The trainee's sessions with their materials."""
    result = await materials.my_materials(actor=actor, limit=query.limit, offset=query.offset)
    return reply(result)
