"""Running the system: the database, the server and the demo."""
from __future__ import annotations

import os
import subprocess
import sys

import click

from survey_app import config
from survey_app.cli.base import make_app
from survey_app.cli.printing import echo_notices, echo_ranking


@click.group("db", help="数据库")
def database():
    pass


@database.command("upgrade", help="创建或升级数据库结构")
def db_upgrade():
    from survey_app import db
    app = make_app()
    db.upgrade(app.extensions["survey_engine"])
    click.echo(f"数据库已是最新结构：{app.extensions['survey_engine'].url.render_as_string()}")


@click.command(help="用生产级服务器（gunicorn，多进程）运行系统")
@click.option("--bind", default="127.0.0.1:8000", show_default=True, envvar="SURVEY_BIND")
@click.option("--workers", default=4, show_default=True, envvar="WEB_CONCURRENCY")
@click.option("--threads", default=config.SERVE_THREADS, show_default=True, envvar="SURVEY_THREADS",
              help="每个进程的线程数；网络慢的手机上传时各占一个线程")
def serve(bind, workers, threads):
    from survey_app import db
    app = _app_serving(bind)  # generates the secret key once, before workers start
    db.upgrade(app.extensions["survey_engine"])
    click.echo(f"服务已启动：{app.config['BASE_URL']}/ （{workers} 个进程，各 {threads} 个线程，按 Ctrl+C 停止）")
    _run(app, bind, workers, threads)


def _app_serving(bind: str):
    """Links and QR codes follow the address served, unless SURVEY_BASE_URL says otherwise."""
    return make_app(BASE_URL=config.serve_base_url(bind))


def _run(app, bind: str, workers: int, threads: int = config.SERVE_THREADS) -> None:
    from survey_app.server import run
    os.environ["SURVEY_BASE_URL"] = app.config["BASE_URL"]   # the workers build their own app
    # The job queue's worker: a process of its own, which stops when this one has gone.
    subprocess.Popen([sys.executable, "-c", "from survey_app.cli import main; main()", "worker",
                      "--parent", str(os.getpid())])
    # No database connection may cross the fork: a worker holding a copy of the master's SQLite
    # connection loses its own file locks when that copy is closed, and two writers then
    # corrupt the database (seen under kill -9 at 200 submissions a second).
    app.extensions["survey_engine"].dispose()
    run(bind, workers, threads)


@click.command(help="演示：建库、生成模拟调查（默认 54,340 份答卷）并启动服务")
@click.option("--responses", "n", default=54_340, show_default=True)
@click.option("--seed", default=2026, show_default=True)
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--no-serve", is_flag=True, help="只生成数据，不启动服务")
def demo(n, seed, bind, no_serve):
    from survey_app.demo.build import build_demo
    app = _app_serving(bind)
    built = build_demo(app, n, seed, progress=click.echo)
    click.echo("\n各区县的第一个问卷链接（模拟调查，可用手机或浏览器打开填写）：")
    shown = set()
    for _code, county, name, label, url in built.links:
        if county not in shown:
            shown.add(county)
            click.echo(f"  {name}（{label}）：{url}")
    files = built.files
    click.echo(f"\n全部链接：{files.links}\n二维码（PNG、SVG）：{files.qr}")
    click.echo(f"人口目标（用于加权）：{files.targets}\n区县名单：{files.counties}")
    echo_notices(built.results, err=False)
    click.echo("\n加权满意度指数（模拟数据；按渠道整群、按身份和城乡加权）：")
    echo_ranking(built.results, built.county_names)
    click.echo(f"全部结果（各区县、各题、问题清单、权重、设置记录）：{files.results}")
    username, password = built.evaluator
    click.echo(f"\n评估人员工作台：{app.config['BASE_URL']}/login  用户名 {username}  密码 {password}")
    if bind.startswith(("127.", "localhost")):
        click.echo("手机访问：手机与本机在同一局域网时，用 --bind 0.0.0.0:8000 启动，链接和二维码即用本机的局域网地址"
                   "（或设置 SURVEY_BASE_URL 为手机能访问的网址）。")
    if not no_serve:
        click.echo(f"\n服务已启动：{app.config['BASE_URL']}/  （按 Ctrl+C 停止）")
        _run(app, bind, 2)


@click.command(help="运行后台任务（海报和二维码 ZIP 等）；survey serve 和 survey demo 已自带一个")
@click.option("--threads", default=2, show_default=True, help="同时运行的任务数")
@click.option("--once", is_flag=True, help="运行完队列中已有的任务后退出")
@click.option("--parent", type=int, hidden=True)
def worker(threads, once, parent):
    from survey_app import job_queue
    app = make_app()
    if once:
        click.echo(f"已运行 {job_queue.run_pending(app)} 个后台任务。")
        return
    click.echo(f"后台任务进程已启动（{threads} 个线程，按 Ctrl+C 停止）")
    job_queue.work(app, threads, parent)
