from django.db.models import QuerySet

from tenants.models import Tenant

from .models import Job


def job_list(*, tenant: Tenant) -> QuerySet[Job]:
    return Job.objects.filter(tenant=tenant).select_related("created_by")
