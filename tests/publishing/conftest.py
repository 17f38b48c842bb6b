import pytest


@pytest.fixture
def publish(client_for, publisher, django_capture_on_commit_callbacks):
    """publish(number, channel=..., locale=..., **body) -> response; runs the job (eager)."""

    def _publish(number, *, channel="omnichannel", locale="neutral", user=None, **body):
        client = client_for(user or publisher)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/api/v1/tenants/acme/products/{number}/media/publish?channel={channel}&locale={locale}",
                body,
                format="json",
            )
        if response.status_code == 202:
            # The job ran on commit, after the 202 was built: let .json() give its final state.
            job = client.get(f"/api/v1/tenants/acme/jobs/{response.json()['id']}/").json()
            response.json = lambda: job
        return response

    return _publish


@pytest.fixture
def shop(client_for):
    """shop(number, channel, locale) -> the shop read API's JSON (anonymous, as shops call it)."""

    def _read(number, channel="web", locale="en-us"):
        response = client_for(None).get(
            f"/api/v1/tenants/acme/channels/{channel}/products/{number}/media?locale={locale}"
        )
        assert response.status_code == 200, response.content
        return response.json()

    return _read
