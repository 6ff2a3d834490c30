"""Forms of the workspace (Flask-WTF: every POST carries a CSRF token)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from survey_app.models import Role

ROLE_CHOICES = [SelectChoice(r.value, r.label) for r in (Role.STAFF, Role.EVALUATOR, Role.ADMIN)]   # least first
COUNTY_LIMIT = "限定区县（仅工作人员；区县代码，逗号分隔；空 = 全部区县）"


class AccountForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(3, 64)])
    display_name = StringField("姓名", validators=[Optional(), Length(max=100)])
    role = SelectField("角色", choices=ROLE_CHOICES)
    counties = StringField(COUNTY_LIMIT, validators=[Optional()])
    password = PasswordField("初始密码（至少 10 个字符）", validators=[DataRequired("请输入初始密码")])


class AccountEditForm(FlaskForm):
    display_name = StringField("姓名", validators=[Optional(), Length(max=100)])
    role = SelectField("角色", choices=ROLE_CHOICES)
    counties = StringField(COUNTY_LIMIT, validators=[Optional()])
    active = BooleanField("启用")
    password = PasswordField("新密码（不修改请留空）", validators=[Optional()])


class CampaignForm(FlaskForm):
    slug = StringField("调查编号（小写字母、数字、连字符，用于网址和命令行）",
                       validators=[DataRequired("请输入调查编号"), Length(2, 64)])
    name = StringField("调查名称", validators=[DataRequired("请输入调查名称"), Length(max=200)])
    organizer = StringField("组织单位（显示在问卷页面）", validators=[DataRequired("请输入组织单位"), Length(max=200)])
    questionnaire = SelectField("问卷")
    opens = DateTimeLocalField("开始时间", format="%Y-%m-%dT%H:%M", validators=[DataRequired("请选择开始时间")])
    closes = DateTimeLocalField("结束时间", format="%Y-%m-%dT%H:%M", validators=[DataRequired("请选择结束时间")])
    counties_file = FileField("区县名单（CSV 或 Excel，两列 code,name）")
    counties_text = TextAreaField("或直接输入区县（每行一个：代码,名称）", validators=[Optional()])


class UploadForm(FlaskForm):
    file = FileField("文件（CSV 或 Excel）", validators=[FileRequired("请选择文件")])


class QuestionnaireUploadForm(FlaskForm):
    file = FileField("问卷文件（YAML）", validators=[FileRequired("请选择文件")])


class CountyForm(FlaskForm):
    code = StringField("区县代码（6 位）", validators=[DataRequired("请输入区县代码")])
    name = StringField("区县名称", validators=[DataRequired("请输入区县名称")])


class ChannelForm(FlaskForm):
    county = SelectField("区县")
    labels = TextAreaField("渠道名称（每行一个，如学校名、海报张贴地点、群名）",
                           validators=[DataRequired("请输入至少一个渠道名称")])


class QuotaProposalForm(FlaskForm):
    total = IntegerField("全市计划样本量", validators=[DataRequired("请输入样本量"), NumberRange(min=1)])
    floor = IntegerField("每个区县至少", default=400, validators=[NumberRange(min=0)])
    attribute = SelectField("同时按此属性分配（可选）", validators=[Optional()])


class ReasonForm(FlaskForm):
    reason = StringField("原因", validators=[DataRequired("请填写原因"), Length(max=200)])
