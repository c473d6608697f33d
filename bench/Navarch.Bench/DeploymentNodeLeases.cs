using System.Globalization;
using System.Net;

namespace Navarch.Bench;

/// <summary>
/// Heartbeats for the simulated nodes, as kubemark's hollow kubelets send them: a Lease per node in
/// <c>kube-node-lease</c>, renewed every 10 s (the kubelet's renew interval, a quarter of its 40 s duration). Without
/// them the controller manager's nodelifecycle controller would mark every node NotReady and taint it
/// unschedulable 40 s into the run, and the benchmark would measure that instead.
/// </summary>
internal sealed class DeploymentNodeLeases : IAsyncDisposable
{
    private const string Namespace = "kube-node-lease";
    private const int LeaseDurationSeconds = 40;
    private const int Concurrency = 16;

    private static readonly TimeSpan RenewInterval = TimeSpan.FromSeconds(10);

    private readonly HttpClient _http;
    private readonly int _nodes;
    private readonly CancellationTokenSource _stop;
    private Task _loop = Task.CompletedTask;

    private DeploymentNodeLeases(HttpClient http, int nodes, CancellationToken ct)
    {
        _http = http;
        _nodes = nodes;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
    }

    /// <summary>Creates the Leases of nodes 0..nodes-1 (named as <see cref="SchedulerNodes.NodeName"/>) and starts renewing them.</summary>
    public static async Task<DeploymentNodeLeases> StartAsync(HttpClient http, int nodes, CancellationToken ct)
    {
        await SchedulerHttp.EnsureNamespaceAsync(http, Namespace, ct).ConfigureAwait(false);
        var leases = new DeploymentNodeLeases(http, nodes, ct);
        await leases.ForEachNodeAsync(leases.CreateAsync, ct).ConfigureAwait(false);
        leases._loop = Task.Run(() => leases.RenewLoopAsync(leases._stop.Token), CancellationToken.None);
        return leases;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The stop above.
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException)
        {
            // A renewal failed after the measurement; nothing left to protect.
        }

        _stop.Dispose();
    }

    private async Task RenewLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(RenewInterval);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            await ForEachNodeAsync(RenewAsync, ct).ConfigureAwait(false);
        }
    }

    private async Task ForEachNodeAsync(Func<int, string, CancellationToken, Task> action, CancellationToken ct)
    {
        // The lease API takes microseconds (MicroTime).
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        var next = -1;
        var workers = new Task[Concurrency];
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < _nodes)
                {
                    await action(index, now, ct).ConfigureAwait(false);
                }
            }, ct);
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
    }

    private async Task CreateAsync(int index, string now, CancellationToken ct)
    {
        var name = SchedulerNodes.NodeName(index);
        var lease = $$$"""
            {"apiVersion":"coordination.k8s.io/v1","kind":"Lease","metadata":{"name":"{{{name}}}","namespace":"{{{Namespace}}}"},"spec":{"holderIdentity":"{{{name}}}","leaseDurationSeconds":{{{LeaseDurationSeconds}}},"renewTime":"{{{now}}}"}}
            """;
        using var request = SchedulerHttp.NewRequest(_http, HttpMethod.Post, $"/apis/coordination.k8s.io/v1/namespaces/{Namespace}/leases", lease);
        await SchedulerHttp.SendAsync(_http, request, ct, HttpStatusCode.Created).ConfigureAwait(false);
    }

    private async Task RenewAsync(int index, string now, CancellationToken ct)
    {
        var path = $"/apis/coordination.k8s.io/v1/namespaces/{Namespace}/leases/{SchedulerNodes.NodeName(index)}";
        using var request = SchedulerHttp.NewRequest(_http, HttpMethod.Patch, path, "{\"spec\":{\"renewTime\":\"" + now + "\"}}", "application/merge-patch+json");
        await SchedulerHttp.SendAsync(_http, request, ct, HttpStatusCode.OK).ConfigureAwait(false);
    }
}
