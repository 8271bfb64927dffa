def test_healthz_reports_database_and_broker(client, db, settings):
    response = client.get("/healthz")
    body = response.json()
    assert body["database"] == "ok"
    assert body["database_engine"].startswith("PostgreSQL ")
    expected = "(embedded)" if settings.EMBEDDED_DATABASE else "(DATABASE_URL)"
    assert body["database_engine"].endswith(expected)
    assert response.status_code == (200 if body["broker"] == "ok" else 503)


def test_healthz_with_redis(client, db, redis_url):
    body = client.get("/healthz").json()
    assert {key: body[key] for key in ("status", "database", "broker")} == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
    }
