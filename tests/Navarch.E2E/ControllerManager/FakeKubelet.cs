using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.ControllerManager;

/// <summary>
/// Plays every node's kubelet through the API with the admin client, in the background: a bound pod turns
/// Running and Ready (with an IP) <see cref="ReadyDelay"/> after it was first seen bound, so a rollout takes a
/// few steps; a Terminating pod is removed at once (a grace-0 delete, as a kubelet does once its containers
/// stopped); and each node's Lease in kube-node-lease and Ready heartbeat are renewed, so the node lifecycle
/// controller never takes the nodes out of service.
/// </summary>
public sealed class FakeKubelet(IKubernetes client, IReadOnlyList<string> nodes) : IAsyncDisposable
{
    public static readonly TimeSpan ReadyDelay = TimeSpan.FromMilliseconds(400);

    private static readonly TimeSpan PodPollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, DateTime> _boundSince = new(StringComparer.Ordinal);
    private readonly HashSet<string> _running = new(StringComparer.Ordinal);
    private Task _loop = Task.CompletedTask;
    private int _nextIp;

    /// <summary>The last API error the loop met (it keeps going), for failure messages.</summary>
    public string? LastError { get; private set; }

    public static V1NodeCondition ReadyCondition(DateTime now) => new()
    {
        Type = "Ready",
        Status = "True",
        Reason = "KubeletReady",
        Message = "kubelet is posting ready status",
        LastHeartbeatTime = now,
        LastTransitionTime = now,
    };

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken ct)
    {
        var nextHeartbeat = DateTime.MinValue;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (DateTime.UtcNow >= nextHeartbeat)
                {
                    foreach (var node in nodes)
                    {
                        await HeartbeatAsync(node, ct);
                    }

                    nextHeartbeat = DateTime.UtcNow + HeartbeatInterval;
                }

                await SyncPodsAsync(ct);
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException && !ct.IsCancellationRequested)
            {
                LastError = $"{DateTime.Now:HH:mm:ss.fff} {e.Message} {(e as HttpOperationException)?.Response.Content}";
            }

            await Task.Delay(PodPollInterval, ct);
        }
    }

    private async Task SyncPodsAsync(CancellationToken ct)
    {
        var pods = await client.CoreV1.ListPodForAllNamespacesAsync(cancellationToken: ct);
        var now = DateTime.UtcNow;
        foreach (var pod in pods.Items)
        {
            if (pod.Metadata.DeletionTimestamp is not null)
            {
                await IgnoreNotFoundAsync(() => client.CoreV1.DeleteNamespacedPodAsync(
                    pod.Metadata.Name, pod.Metadata.NamespaceProperty, new V1DeleteOptions { GracePeriodSeconds = 0 }, cancellationToken: ct));
                continue;
            }

            if (string.IsNullOrEmpty(pod.Spec.NodeName) || _running.Contains(pod.Metadata.Uid))
            {
                continue;
            }

            var since = _boundSince.GetOrAdd(pod.Metadata.Uid, now);
            if (now - since < ReadyDelay)
            {
                continue;
            }

            await IgnoreNotFoundAsync(() => MarkRunningAsync(pod, ct));
            _running.Add(pod.Metadata.Uid);
            _boundSince.TryRemove(pod.Metadata.Uid, out _);
        }
    }

    private Task MarkRunningAsync(V1Pod pod, CancellationToken ct)
    {
        var n = Interlocked.Increment(ref _nextIp);
        var ip = $"10.42.{n / 250 % 250}.{n % 250 + 2}";
        var status = PodStatuses.Running(pod, ip, "127.0.0.1", PodStatuses.Now());
        var patch = new V1Patch(JsonSerializer.Serialize(new Dictionary<string, object?> { ["status"] = status }), V1Patch.PatchType.MergePatch);
        return client.CoreV1.PatchNamespacedPodStatusAsync(patch, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: ct);
    }

    /// <summary>Renews the node's Lease (creating it the first time) and posts a fresh Ready heartbeat, as a kubelet does.</summary>
    private async Task HeartbeatAsync(string node, CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        try
        {
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(node, "kube-node-lease", cancellationToken: ct);
            lease.Spec.RenewTime = now;
            await client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, node, "kube-node-lease", cancellationToken: ct);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            await client.CoordinationV1.CreateNamespacedLeaseAsync(
                new V1Lease
                {
                    Metadata = new V1ObjectMeta { Name = node, NamespaceProperty = "kube-node-lease" },
                    Spec = new V1LeaseSpec { HolderIdentity = node, LeaseDurationSeconds = 40, RenewTime = now },
                },
                "kube-node-lease",
                cancellationToken: ct);
        }

        var status = new { status = new { conditions = new[] { ReadyCondition(now) } } };
        await client.CoreV1.PatchNodeStatusAsync(new V1Patch(KubernetesJson.Serialize(status), V1Patch.PatchType.MergePatch), node, cancellationToken: ct);
    }

    private static async Task IgnoreNotFoundAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // The pod went away meanwhile: nothing left to do for it.
        }
    }
}
