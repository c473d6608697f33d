using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Navarch.Kubelet.Cri;

namespace Navarch.Kubelet.Tests.Server;

/// <summary>Who the kubelet API lets in; no runtime is needed, so the CRI socket is one nobody listens on.</summary>
public sealed class KubeletServerAuthTests : IAsyncLifetime
{
    private readonly CriClient _cri = new(Path.Combine(Path.GetTempPath(), "nvk-no-runtime-" + Guid.NewGuid().ToString("N") + ".sock"));
    private KubeletApi? _api;

    private KubeletApi Api => _api ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _api = await KubeletApi.StartAsync(_cri);

    [Fact(Timeout = 20_000)]
    public async Task Healthz_WithApiServerCertificate_ReturnsOk()
    {
        var response = await Api.ApiServerClient().GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact(Timeout = 20_000)]
    public async Task Request_WithoutClientCertificate_Returns401Status()
    {
        var response = await Api.Client(null).GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertStatusAsync(response, 401, "Unauthorized");
    }

    [Fact(Timeout = 20_000)]
    public async Task Request_WithCertificateFromAnotherCa_Returns401()
    {
        using var otherCa = new TestCertificateAuthority("other-ca");
        using var foreign = otherCa.IssueClient("kube-apiserver-kubelet-client");

        var response = await Api.Client(foreign).GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact(Timeout = 20_000)]
    public async Task Request_WithAnotherIdentity_Returns403Status()
    {
        using var node = Api.Ca.IssueClient("system:node:other", "system:nodes");

        var response = await Api.Client(node).GetAsync("/containerLogs/default/p/c");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var status = await AssertStatusAsync(response, 403, "Forbidden");
        Assert.Equal("Forbidden (user=system:node:other, verb=get, resource=nodes, subresource=proxy)", status.GetProperty("message").GetString());
    }

    [Fact(Timeout = 20_000)]
    public async Task ServingCertificate_SurvivesRestart()
    {
        X509Certificate2? first = null, second = null;
        await Api.Client(null, c => first = c).GetAsync("/healthz");
        await using (var restarted = await KubeletApi.StartAsync(_cri, Api.Directory))
        {
            await restarted.Client(null, c => second = c).GetAsync("/healthz");
        }

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Equal(first.Thumbprint, second.Thumbprint);
        Assert.StartsWith($"CN={KubeletApi.NodeName}@", first.Subject, StringComparison.Ordinal);
    }

    [Fact(Timeout = 20_000)]
    public async Task Server_WithPortZero_ListensOnAChosenPort()
    {
        Assert.NotEqual(0, Api.Server.Port);
        var response = await Api.ApiServerClient().GetAsync("/healthz");
        Assert.True(response.IsSuccessStatusCode);
    }

    internal static async Task<JsonElement> AssertStatusAsync(HttpResponseMessage response, int code, string reason)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Status", status.GetProperty("kind").GetString());
        Assert.Equal("v1", status.GetProperty("apiVersion").GetString());
        Assert.Equal("Failure", status.GetProperty("status").GetString());
        Assert.Equal(reason, status.GetProperty("reason").GetString());
        Assert.Equal(code, status.GetProperty("code").GetInt32());
        return status;
    }

    public async Task DisposeAsync()
    {
        if (_api is not null) await _api.DisposeAsync();
        _cri.Dispose();
    }
}
