using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Navarch.Client.Informers;
using Navarch.Client.Tests.Support;

namespace Navarch.Client.Tests;

/// <summary>Client construction (credentials, connection pool) and the client-side QPS limit.</summary>
[Collection(ServerCollection.Name)]
public sealed class ClientFactoryTests(ServerFixture fixture)
{
    [Fact]
    public async Task FromCertificates_WithAnIssuedComponentCertificate_TalksToTheServer()
    {
        var host = fixture.Server.Host;
        var cert = host.Certificates.IssueClientCertificate("system:kube-scheduler", [], TimeSpan.FromHours(1));
        using var client = (Kubernetes)KubeClientFactory.FromCertificates(
            host.Url!, host.Certificates.CaCertificatePem, cert.CertificatePem, cert.PrivateKeyPem, ClientRateLimit.Scheduler, "navarch-scheduler/test");

        var namespaces = await client.CoreV1.ListNamespaceAsync();
        Assert.Contains(namespaces.Items, n => n.Metadata.Name == "default");
        Assert.Equal("navarch-scheduler/test", client.HttpClient.DefaultRequestHeaders.UserAgent.ToString());
    }

    [Fact]
    public async Task FromCertificates_WithAnotherCa_RejectsTheServer()
    {
        var host = fixture.Server.Host;
        var cert = host.Certificates.IssueClientCertificate("someone", [], TimeSpan.FromHours(1));
        using var otherCa = System.Security.Cryptography.ECDsa.Create();
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=other", otherCa, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var other = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        using var client = KubeClientFactory.FromCertificates(host.Url!, other.ExportCertificatePem(), cert.CertificatePem, cert.PrivateKeyPem, ClientRateLimit.Unlimited);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.CoreV1.ListNamespaceAsync());
    }

    [Fact]
    public async Task FromKubeconfig_ManyConcurrentWatchesAndRequests_AllProceed()
    {
        using var client = KubeClientFactory.FromKubeconfig(fixture.Server.KubeconfigPath, ClientRateLimit.Unlimited, "navarch-test");
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var factory = new SharedInformerFactory(client, NullLoggerFactory.Instance, TimeProvider.System);

        // More long watches than an HTTP/2 connection has streams by default (100) or a small pool would allow.
        var namespaces = Enumerable.Range(0, 120).Select(i => "watch-" + i).ToArray();
        foreach (var ns in namespaces)
        {
            factory.For<V1ConfigMap>(ns);
        }

        factory.Start(cts.Token);
        await factory.WaitForCacheSyncAsync(cts.Token);

        var ns0 = await fixture.NewNamespaceAsync();
        var informer = factory.For<V1ConfigMap>(ns0);
        factory.Start(cts.Token);
        await informer.WaitForSyncAsync(cts.Token);
        await client.CoreV1.CreateNamespacedConfigMapAsync(Objects.ConfigMap("late"), ns0, cancellationToken: cts.Token);
        await Eventually.TrueAsync(() => informer.Lister.Get(ns0, "late") is not null, "a watch opened after 120 others still streams");
    }

    [Fact]
    public async Task RateLimiter_AfterTheBurst_WaitsForTokensAtTheQps()
    {
        var time = new FakeTimeProvider();
        using var invoker = Invoker(new ClientRateLimit(2, 3), time, out var sent);

        for (var i = 0; i < 3; i++)
        {
            var burst = invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://x/"), CancellationToken.None);
            Assert.True(burst.IsCompletedSuccessfully, "the burst passes without waiting");
        }

        var fourth = invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://x/"), CancellationToken.None);
        var fifth = invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://x/"), CancellationToken.None);
        Assert.False(fourth.IsCompleted);
        Assert.Equal(3, sent.Count);

        time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(fourth.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));
        await fourth.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(fifth.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(500));
        await fifth.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(5, sent.Count);
    }

    [Fact]
    public async Task RateLimiter_CancelledWaiter_GivesItsTokenBack()
    {
        var time = new FakeTimeProvider();
        using var invoker = Invoker(new ClientRateLimit(1, 1), time, out var sent);
        await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://x/"), CancellationToken.None);

        using var cancel = new CancellationTokenSource();
        var waiting = invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://x/"), cancel.Token);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);

        time.Advance(TimeSpan.FromSeconds(1));
        var next = invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://x/"), CancellationToken.None);
        Assert.True(next.IsCompletedSuccessfully, "the cancelled reservation did not keep the refilled token");
        Assert.Equal(2, sent.Count);
    }

    [Fact]
    public void RateLimiter_Unlimited_NeverWaits()
    {
        var time = new FakeTimeProvider();
        using var invoker = Invoker(ClientRateLimit.Unlimited, time, out var sent);
        for (var i = 0; i < 1000; i++)
        {
            Assert.True(invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://x/"), CancellationToken.None).IsCompletedSuccessfully);
        }

        Assert.Equal(1000, sent.Count);
    }

    [Fact]
    public void ClientRateLimit_Presets_MatchKubernetesDefaults()
    {
        Assert.Equal(new ClientRateLimit(5, 10), ClientRateLimit.Default);
        Assert.Equal(new ClientRateLimit(50, 100), ClientRateLimit.Scheduler);
        Assert.Equal(new ClientRateLimit(20, 30), ClientRateLimit.ControllerManager);
        Assert.Equal(new ClientRateLimit(50, 100), ClientRateLimit.Kubelet);
        Assert.True(ClientRateLimit.Unlimited.IsUnlimited);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClientRateLimit(0, 1).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClientRateLimit(1, 0).Validate());
    }

    private static HttpMessageInvoker Invoker(ClientRateLimit limit, TimeProvider time, out List<HttpRequestMessage> sent)
    {
        var inner = new StubHandler();
        sent = inner.Sent;
        return new HttpMessageInvoker(new RateLimitingHandler(limit, time) { InnerHandler = inner });
    }

    private sealed class StubHandler : HttpMessageHandler
    {
        public List<HttpRequestMessage> Sent { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Sent)
            {
                Sent.Add(request);
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
