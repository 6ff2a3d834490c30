"""The questionnaire library: list, import a YAML file, edit in the browser, preview, export, compare."""
from __future__ import annotations

from urllib.parse import quote

from flask import Response as HttpResponse
from flask import abort, flash, redirect, render_template, request, url_for

import questionnaires
from reports.filenames import safe_file_name
from survey_app import db
from survey_app.admin import bp
from survey_app.admin import questionnaire_form as editor
from survey_app.admin.campaigns import by, evaluator
from survey_app.admin.forms import QuestionnaireUploadForm
from survey_app.auth import address_hash
from survey_app.respond import links
from survey_app.services import library


def _version(session, version_id: int):
    version = library.get(session, version_id)
    return version if version is not None else abort(404)


def _library_page(problems=(), status=200):
    with db.session() as s:
        rows = library.versions(s)
        return render_template("admin/questionnaires.html", rows=rows, upload=QuestionnaireUploadForm(),
                               origins=library.ORIGINS, problems=list(problems), nav="questionnaires"), status


@bp.get("/questionnaires")
@evaluator
def questionnaires_page():
    return _library_page()


@bp.post("/questionnaires")
@evaluator
def questionnaire_import():
    """A YAML file into the library; a file with problems gets the list of all of them and is not imported."""
    upload = QuestionnaireUploadForm()
    if not upload.validate():
        flash("请选择问卷 YAML 文件。", "error")
        return redirect(url_for("admin.questionnaires_page"))
    name = upload.file.data.filename
    try:
        text = upload.file.data.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        return _library_page([f"{name}：不是 UTF-8 编码的文本文件"], 422)
    try:
        with db.session() as s:
            version = library.import_yaml(s, text, name, by(s), address_hash())
            label = f"{version.title}（{version.key} 版本 {version.version}）"
    except questionnaires.QuestionnaireError as exc:
        return _library_page(exc.messages(), 422)
    flash(f"已导入问卷 {label}。")
    return redirect(url_for("admin.questionnaires_page"))


def _editor_page(initial: dict, save, **page):
    """GET: the editor filled from `initial`. POST: `save(definition)` (a redirect), or the editor
    again with what was typed and every problem at its field."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        definition, form = editor.to_definition(request.form)
        try:
            return save(definition)
        except questionnaires.QuestionnaireError as exc:
            errors = editor.errors_at_fields(exc.problems, form)
    else:
        form = editor.from_definition(initial)
    return render_template("admin/questionnaire_edit.html", form=form, errors=errors, describe=editor.describe,
                           nav="questionnaires", **page), 422 if errors else 200


@bp.route("/questionnaires/new", methods=["GET", "POST"])
@evaluator
def questionnaire_new():
    """A new questionnaire, starting from a copy of a library version (?from=id) with a new id."""
    with db.session() as s:
        source = _version(s, request.args.get("from", 0, type=int))

        def save(definition):
            saved = library.create(s, definition, by(s), address_hash())
            flash(f"已新建问卷 {saved.key} 版本 {saved.version}。")
            return redirect(url_for("admin.questionnaire_edit", version_id=saved.id))
        return _editor_page({**source.definition, "id": f"{source.key}_copy", "version": "1"}, save,
                            version=None, source=source, frozen=False)


@bp.route("/questionnaires/<int:version_id>/edit", methods=["GET", "POST"])
@evaluator
def questionnaire_edit(version_id: int):
    with db.session() as s:
        version = _version(s, version_id)

        def save(definition):
            saved = library.save(s, version, definition, by(s), address_hash())
            flash(f"已保存问卷 {saved.key} 版本 {saved.version}"
                  + ("（原版本已冻结，保存为新版本）。" if saved.id != version_id else "。"))
            return redirect(url_for("admin.questionnaire_edit", version_id=saved.id))
        return _editor_page(version.definition, save, version=version, frozen=library.usage(s, version).frozen)


@bp.get("/questionnaires/<int:version_id>/phone")
@evaluator
def questionnaire_phone(version_id: int):
    """The preview at a phone's width, on the evaluator's screen."""
    with db.session() as s:
        version = _version(s, version_id)
        return render_template("admin/questionnaire_phone.html", version=version, nav="questionnaires")


@bp.get("/questionnaires/<int:version_id>/preview")
@evaluator
def questionnaire_preview(version_id: int):
    """The respondent page exactly as a resident sees it (submitting is switched off)."""
    with db.session() as s:
        version = _version(s, version_id)
        q = questionnaires.load_dict(version.definition, source=version.key)
    return links.render_form(q, "（预览）组织单位", False, "（预览）区县", "", {}, {}, preview=True)


@bp.get("/questionnaires/<int:version_id>.yaml")
@evaluator
def questionnaire_yaml(version_id: int):
    with db.session() as s:
        version = _version(s, version_id)
        name = safe_file_name(f"{version.key}-{version.version}") + ".yaml"
        return HttpResponse(library.to_yaml(version), mimetype="application/x-yaml",
                            headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})


@bp.get("/questionnaires/compare")
@evaluator
def questionnaire_compare():
    with db.session() as s:
        old, new = (_version(s, request.args.get(k, 0, type=int)) for k in ("old", "new"))
        changes = library.differences(questionnaires.load_dict(old.definition), questionnaires.load_dict(new.definition))
        return render_template("admin/questionnaire_compare.html", old=old, new=new, changes=changes,
                               nav="questionnaires")
