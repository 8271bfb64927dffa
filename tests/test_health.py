def test_healthz_reports_database_and_broker(client, db, settings):
    response = client.get("/healthz")
    body = response.json()
    assert body["database"] == "ok"
    assert response.status_code == (200 if body["broker"] == "ok" else 503)


def test_healthz_with_redis(client, db, redis_url):
    body = client.get("/healthz").json()
    assert body == {"status": "ok", "database": "ok", "broker": "ok"}
