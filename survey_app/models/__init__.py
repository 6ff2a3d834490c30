"""Typed SQLAlchemy 2.0 models, a module per aggregate; packing.py is the one answer codec."""
from survey_app.models.account import Role, User, UserCounty
from survey_app.models.audit import AuditEvent, LoginFailure
from survey_app.models.base import Base, make_engine, utcnow
from survey_app.models.campaign import (
    Campaign,
    Channel,
    County,
    PopulationTarget,
    QuestionnaireVersion,
    Quota,
)
from survey_app.models.county_register import RegisteredCounty
from survey_app.models.evaluation import (
    ConflictDeclaration,
    ConsensusDecision,
    CoreValue,
    CycleCounty,
    EvaluationCycle,
    EvidenceFile,
    ExpertAssignment,
    ExpertScore,
    SelfAssessment,
)
from survey_app.models.job import JOB_STATUS_LABELS, Job
from survey_app.models.packing import Flag, pack, unpack
from survey_app.models.response import MonitorSnapshot, Response
from survey_app.models.result_run import ResultRun

__all__ = ["AuditEvent", "Base", "Campaign", "Channel", "ConflictDeclaration", "ConsensusDecision", "CoreValue", "County",
           "CycleCounty", "EvaluationCycle", "EvidenceFile", "ExpertAssignment", "ExpertScore", "SelfAssessment", "Flag", "JOB_STATUS_LABELS", "Job", "LoginFailure", "MonitorSnapshot", "PopulationTarget",
           "QuestionnaireVersion", "Quota", "RegisteredCounty", "Response", "ResultRun", "Role", "User", "UserCounty", "make_engine", "pack", "unpack", "utcnow"]
