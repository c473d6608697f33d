using System.Net;
using System.Text.Json.Nodes;

namespace Navarch.ApiServer.Tests.Hosting;

/// <summary>The generic REST handler's semantics over real HTTPS against a running API server.</summary>
public sealed class ApiServerHostTests(ApiServerFixture server) : IClassFixture<ApiServerFixture>
{
    private static string ConfigMap(string name, string value = "1", string? rv = null)
    {
        var rvField = rv is null ? "" : $",\"resourceVersion\":\"{rv}\"";
        return "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"" + rvField
            + ",\"labels\":{\"set\":\"t\"}},\"data\":{\"k\":\"" + value + "\"}}";
    }

    [Fact]
    public async Task CoreV1Discovery_IsServedBesideTheResourceRoutes()
    {
        var (code, list) = await server.SendAsync(HttpMethod.Get, "/api/v1");

        Assert.Equal(200, code);
        Assert.Equal("APIResourceList", (string?)list!["kind"]);
        Assert.Contains(list["resources"]!.AsArray(), r => (string?)r!["name"] == "pods");
    }

    [Fact]
    public async Task Create_InTerminatingNamespace_IsForbiddenWithTheNamespaceTerminatingCause()
    {
        Assert.Equal(201, (await server.SendAsync(HttpMethod.Post, "/api/v1/namespaces", "{\"metadata\":{\"name\":\"going\"}}")).Code);
        Assert.Equal(200, (await server.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/going")).Code);

        // The namespace guard reads the watch cache, which learns of the deletion a moment after the delete returns.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        int code;
        JsonNode? status;
        var attempt = 0;
        do
        {
            (code, status) = await server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/going/configmaps", ConfigMap(attempt == 0 ? "late" : $"late{attempt}"));
            if (code == 403) break;
            attempt++;
            await Task.Delay(20);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Equal(403, code);
        Assert.Equal($"configmaps \"{(attempt == 0 ? "late" : $"late{attempt}")}\" is forbidden: unable to create new content in namespace going because it is being terminated", (string?)status!["message"]);
        var cause = status["details"]!["causes"]![0]!;
        Assert.Equal(("NamespaceTerminating", "metadata.namespace"), ((string?)cause["reason"], (string?)cause["field"]));
    }

    [Fact]
    public async Task Create_SetsSystemMetadata_AndGetReturnsIt()
    {
        var (code, created) = await server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", ConfigMap("meta"));
        Assert.Equal(201, code);
        Assert.False(string.IsNullOrEmpty((string?)created!["metadata"]!["uid"]));
        Assert.Matches("^[0-9]+$", (string?)created["metadata"]!["resourceVersion"]);
        Assert.Matches(@"Z$", (string?)created["metadata"]!["creationTimestamp"]);
        var (getCode, got) = await server.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/configmaps/meta");
        Assert.Equal(200, getCode);
        Assert.Equal((string?)created["metadata"]!["resourceVersion"], (string?)got!["metadata"]!["resourceVersion"]);
    }

    [Fact]
    public async Task Update_WithStaleResourceVersion_ReturnsConflict()
    {
        var (_, created) = await server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", ConfigMap("stale"));
        var rv = (string)created!["metadata"]!["resourceVersion"]!;
        var (okCode, _) = await server.SendAsync(HttpMethod.Put, "/api/v1/namespaces/default/configmaps/stale", ConfigMap("stale", "2", rv));
        Assert.Equal(200, okCode);
        var (code, status) = await server.SendAsync(HttpMethod.Put, "/api/v1/namespaces/default/configmaps/stale", ConfigMap("stale", "3", rv));
        Assert.Equal(409, code);
        Assert.Equal("Conflict", (string?)status!["reason"]);
        Assert.Contains("the object has been modified", (string?)status["message"]);
    }

    [Fact]
    public async Task List_WithLimit_PagesThroughEveryItemAtOneRevision()
    {
        await server.SendAsync(HttpMethod.Post, "/api/v1/namespaces", """{"metadata":{"name":"paging"}}""");
        for (var i = 0; i < 5; i++)
        {
            await server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/paging/configmaps", ConfigMap($"p{i}"));
        }

        var names = new List<string>();
        string? token = null;
        string? revision = null;
        do
        {
            var path = "/api/v1/namespaces/paging/configmaps?limit=2" + (token is null ? "" : "&continue=" + Uri.EscapeDataString(token));
            var (code, page) = await server.SendAsync(HttpMethod.Get, path);
            Assert.Equal(200, code);
            names.AddRange(page!["items"]!.AsArray().Select(i => (string)i!["metadata"]!["name"]!));
            revision ??= (string?)page["metadata"]!["resourceVersion"];
            Assert.Equal(revision, (string?)page["metadata"]!["resourceVersion"]);
            token = (string?)page["metadata"]!["continue"];
        }
        while (token is not null);

        Assert.Equal(["p0", "p1", "p2", "p3", "p4"], names);
    }

    [Fact]
    public async Task Watch_FromResourceVersion_StreamsLaterChangesInOrder()
    {
        var (_, created) = await server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", ConfigMap("watched"));
        var rv = (string)created!["metadata"]!["resourceVersion"]!;
        await server.SendAsync(HttpMethod.Patch, "/api/v1/namespaces/default/configmaps/watched", """{"data":{"k":"9"}}""", "application/merge-patch+json");
        await server.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/default/configmaps/watched");

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await server.Client.GetAsync(
            $"/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={rv}&fieldSelector=metadata.name%3Dwatched&timeoutSeconds=5",
            HttpCompletionOption.ResponseHeadersRead, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        var types = new List<string>();
        while (types.Count < 2 && await reader.ReadLineAsync(cts.Token) is { } line)
        {
            var e = JsonNode.Parse(line)!;
            types.Add((string)e["type"]!);
            if (types.Count == 1)
            {
                Assert.Equal("9", (string?)e["object"]!["data"]!["k"]);
            }
        }

        Assert.Equal(["MODIFIED", "DELETED"], types);
    }

    [Fact]
    public async Task ContinueToken_AfterCompaction_ReturnsExpired()
    {
        await server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", ConfigMap("old1"));
        await server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", ConfigMap("old2"));
        var (_, page) = await server.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/configmaps?limit=1");
        var token = (string)page!["metadata"]!["continue"]!;
        var compactor = new Navarch.ApiServer.Hosting.Compactor(StoreOf(server), TimeProvider.System,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<Navarch.ApiServer.Hosting.Compactor>.Instance);
        var current = await compactor.CompactOnceAsync(0, CancellationToken.None);
        await server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", ConfigMap("old3"));
        await compactor.CompactOnceAsync(current + 1, CancellationToken.None);

        var (code, status) = await server.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/configmaps?limit=1&continue=" + Uri.EscapeDataString(token));
        Assert.Equal(410, code);
        Assert.Equal("Expired", (string?)status!["reason"]);
    }

    [Fact]
    public async Task Create_InMissingNamespace_ReturnsNotFound()
    {
        var (code, status) = await server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/nowhere/configmaps", ConfigMap("x"));
        Assert.Equal(404, code);
        Assert.Equal("namespaces \"nowhere\" not found", (string?)status!["message"]);
    }

    [Theory]
    [InlineData("{not json", 400)]
    [InlineData("""{"metadata":{"name":"t"},"data":{"k":5}}""", 400)]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"t"}}""", 400)]
    [InlineData("[]", 400)]
    public async Task Create_WithBadBody_ReturnsStatusAndKeepsServing(string body, int expected)
    {
        var (code, status) = await server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", body);
        Assert.Equal(expected, code);
        Assert.Equal("Status", (string?)status!["kind"]);
        Assert.Equal("Failure", (string?)status["status"]);
        var (ok, _) = await server.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/configmaps");
        Assert.Equal(200, ok);
    }

    [Fact]
    public async Task Create_WithBodyOverLimit_ReturnsRequestEntityTooLarge()
    {
        var big = new string('a', 4 * 1024 * 1024);
        var (code, _) = await server.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps", ConfigMap("big", big));
        Assert.Equal(413, code);
    }

    [Fact]
    public async Task UnknownResource_ReturnsNotFoundStatus()
    {
        var (code, status) = await server.SendAsync(HttpMethod.Get, "/api/v1/widgets");
        Assert.Equal(404, code);
        Assert.Equal("NotFound", (string?)status!["reason"]);
    }

    [Fact]
    public async Task Metrics_CountRequestsByVerbAndCode()
    {
        await server.SendAsync(HttpMethod.Get, "/api/v1/namespaces/default/configmaps");
        var text = await server.Client.GetStringAsync("/metrics");
        Assert.Matches("apiserver_request_total\\{code=\"200\",resource=\"configmaps\",verb=\"LIST\"\\} [1-9]", text);
        Assert.Contains("navarch_store_revision ", text);
    }

    [Fact]
    public async Task Request_WithoutClientCertificate_IsUnauthorized()
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var anonymous = new HttpClient(handler) { BaseAddress = server.Host.Url };
        var response = await anonymous.GetAsync("/api/v1/namespaces");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var health = await anonymous.GetStringAsync("/healthz");
        Assert.Equal("ok", health);
    }

    private static Navarch.Storage.IKeyValueStore StoreOf(ApiServerFixture fixture) => fixture.Host.Store;
}
