"""Jobs: one back-distillation run per row, the source of truth for its state (NetBox Job style)."""

from django.conf import settings as django_settings
from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


FINISHED_STATUSES = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class JobKind(models.TextChoices):
    GRAFT = "graft", "Train an edge's adapter"
    TEACHER = "teacher", "Train a teacher from a dataset"


class Job(models.Model):
    """Training an adapter for one edge: queued -> running -> succeeded | failed | cancelled."""

    edge = models.ForeignKey(
        "graphs.Edge", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    graph = models.ForeignKey(
        "graphs.Graph", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    category_module = models.ForeignKey(
        "catalog.Module", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    task_module = models.ForeignKey("catalog.Module", null=True, on_delete=models.SET_NULL, related_name="+")
    teacher_task_module = models.ForeignKey(
        "catalog.Module", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempt = models.PositiveIntegerField(default=1)
    settings = models.JSONField(default=dict)
    # (category sha256, task sha256, settings) digest: finished adapters are reused through it.
    reuse_key = models.CharField(max_length=64, db_index=True)
    reused = models.BooleanField(default=False)
    error = models.TextField(blank=True, default="")
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    last_step = models.IntegerField(null=True, blank=True)
    total_steps = models.IntegerField(null=True, blank=True)
    final_metrics = models.JSONField(default=dict, blank=True)
    adapter = models.ForeignKey(
        "catalog.Module", null=True, blank=True, on_delete=models.SET_NULL, related_name="producing_jobs"
    )
    owner = models.ForeignKey(django_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs")
    # Issue 14 (datasets): what the job trains, the dataset it reads (an edge's labelled samples and
    # test split, or a teacher's images), and the catalog modules a teacher job made. A teacher job
    # has no edge, graph or modules to start from; its settings hold architecture, category, tasks
    # and epochs.
    kind = models.CharField(max_length=16, choices=JobKind.choices, default=JobKind.GRAFT)
    dataset = models.ForeignKey(
        "datasets.Dataset", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    made_modules = models.ManyToManyField("catalog.Module", blank=True, related_name="teacher_jobs")
    # --- run life cycle (jobs that never get stuck) ---
    # ``attempt`` above counts user retries (each a new row); ``run_attempt`` counts the times a
    # worker claimed this row. A worker whose ``heartbeat`` is older than JOB_STALE_SECONDS is
    # taken for dead: its job is claimed again (up to JOB_MAX_RUN_ATTEMPTS) and its points stay
    # apart under their own run_attempt. A queued row past ``resend_after`` lost its message.
    run_attempt = models.PositiveIntegerField(default=0)
    heartbeat = models.DateTimeField(null=True, blank=True)
    resend_after = models.DateTimeField(null=True, blank=True)
    # Compare methods: the race this job runs in beside its sibling jobs (same pair, samples and
    # seeds, one method each); null for an edge's own job. It never becomes the edge's job.
    compare = models.ForeignKey(
        "jobs.Compare", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    # Numbers the live events of a job that has no graph (a teacher job), sent to the job's own
    # watchers (``/ws/jobs/<id>/``); a graph's jobs are numbered by ``Graph.event_seq``.
    event_seq = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"Job #{self.pk} ({self.status})"


class Compare(models.Model):
    """A race between methods: sibling jobs training one edge's pair at the same samples and seeds.

    ``skipped`` keeps the methods left out and why (``[{"method", "reason"}]``), so the view can
    say why a method is missing rather than leave the reader guessing.
    """

    owner = models.ForeignKey(
        django_settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="compares"
    )
    graph = models.ForeignKey(
        "graphs.Graph", null=True, blank=True, on_delete=models.SET_NULL, related_name="compares"
    )
    edge = models.ForeignKey(
        "graphs.Edge", null=True, blank=True, on_delete=models.SET_NULL, related_name="compares"
    )
    methods = models.JSONField(default=list)
    seeds = models.JSONField(default=list)
    samples = models.PositiveIntegerField()
    steps = models.PositiveIntegerField()
    skipped = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"Compare #{self.pk} ({', '.join(self.methods)})"


class JobPoint(models.Model):
    """One training step of a job: its loss terms and, when evaluated, its metrics."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="points")
    run_attempt = models.PositiveIntegerField(default=1)
    step = models.IntegerField()
    losses = models.JSONField(default=dict)
    metrics = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["step"]
        constraints = [
            models.UniqueConstraint(fields=["job", "run_attempt", "step"], name="one_point_per_attempt_step")
        ]
