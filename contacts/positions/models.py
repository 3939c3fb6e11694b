"""A person's positions: at which companies, as what, since and until when.

A person may work at several companies, and keeps the companies he left. The current
positions are those without an end date; one of them is primary, and the person's
company and job title (Contact.company, Contact.job_title) are its own, kept in step by
contacts.positions.services: every page, export, search and vCard that names a person's
company reads them there, as before persons had several.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Position(models.Model):
    person = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="positions"
    )
    company = models.ForeignKey(
        "contacts.Contact",
        on_delete=models.CASCADE,
        related_name="staff",
        verbose_name=_("company"),
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    department = models.CharField(_("department"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    is_primary = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # The person's sort name, kept by triggers (contacts/db/position_names.py): a
    # company's people come in name order along the index below.
    sort_name = models.CharField(max_length=300, blank=True, editable=False, db_default="")

    class Meta:
        ordering = ["-is_primary", "end_date", "-start_date", "-id"]
        indexes = [
            models.Index(fields=["person", "end_date"], name="position_person"),
            # A company's card: its current people, then its former ones.
            models.Index(fields=["company", "end_date", "person"], name="position_company"),
            models.Index(
                fields=["company", "sort_name", "person"],
                condition=models.Q(end_date__isnull=True),
                name="position_company_people",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(is_primary=True), name="one_primary_position"
            ),
            models.CheckConstraint(
                condition=models.Q(is_primary=False) | models.Q(end_date__isnull=True),
                name="primary_position_is_current",
            ),
            models.CheckConstraint(
                condition=models.Q(start_date__isnull=True)
                | models.Q(end_date__isnull=True)
                | models.Q(start_date__lte=models.F("end_date")),
                name="position_starts_before_it_ends",
            ),
        ]

    def __str__(self):
        return f"{self.job_title} ({self.company_id})" if self.job_title else str(self.company_id)

    @property
    def is_current(self):
        return self.end_date is None
