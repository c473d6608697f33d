using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Controllers;

/// <summary>
/// Plays the kubelet for the pods of one namespace, through the API with the admin kubeconfig, since no real kubelet
/// runs in the E2E server: bound pods become Running and Ready (with an IP), pods of Jobs end Succeeded when asked,
/// and Terminating pods are removed (a grace-0 delete, as a kubelet does once containers stopped). It also keeps its
/// nodes alive as a kubelet would — a Lease in kube-node-lease renewed and the Ready condition's heartbeat refreshed
/// every few seconds — or node lifecycle would mark them NotReady after its grace period and taint them.
/// </summary>
internal sealed class FakeKubelet : IAsyncDisposable
{
    private const string NodeLeaseNamespace = "kube-node-lease";
    private static readonly TimeSpan HeartbeatPeriod = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);

    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly bool _completeJobPods;
    private readonly int _ipBlock;
    private readonly ConcurrentDictionary<string, V1Node> _nodes = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private int _nextIp = 1;
    private volatile bool _holdTerminating;

    /// <param name="completeJobPods">When true, a pod owned by a Job ends with phase Succeeded instead of running.</param>
    public FakeKubelet(IKubernetes client, string ns, bool completeJobPods = false)
    {
        _client = client;
        _namespace = ns;
        _completeJobPods = completeJobPods;

        // A block per kubelet keeps the IPs of concurrently running helpers apart (10.200-249.x.y).
        _ipBlock = 200 + Random.Shared.Next(50);
    }

    /// <summary>The node names this kubelet registered.</summary>
    public IReadOnlyCollection<string> Nodes => _nodes.Keys.ToArray();

    /// <summary>API errors the background loops met (they retry); printed by tests when a wait times out.</summary>
    public string Errors => string.Join('\n', _errors.TakeLast(20));

    /// <summary>
    /// Keeps Terminating pods until <see cref="ReleaseTerminatingAsync"/>, as a kubelet whose containers take long to
    /// stop would; lets a test observe the in-between state of a cascading deletion.
    /// </summary>
    public void HoldTerminating() => _holdTerminating = true;

    /// <summary>Stops holding Terminating pods and removes those waiting right away.</summary>
    public async Task ReleaseTerminatingAsync(CancellationToken cancellationToken)
    {
        _holdTerminating = false;
        var list = await _client.CoreV1.ListNamespacedPodAsync(_namespace, cancellationToken: cancellationToken);
        foreach (var pod in list.Items)
        {
            await HandleAsync(pod, cancellationToken);
        }
    }

    /// <summary>Starts the pod loop and the heartbeat loop; they run until <see cref="DisposeAsync"/>.</summary>
    public void Start()
    {
        _loops.Add(Task.Run(() => RunPodsAsync(_stop.Token)));
        _loops.Add(Task.Run(() => RunHeartbeatsAsync(_stop.Token)));
    }

    /// <summary>
    /// Registers a Ready node with 8 cpu / 16Gi / 110 pods, the given labels and a NoSchedule taint, plus its Lease,
    /// as a kubelet does on start; the heartbeat loop keeps both fresh.
    /// </summary>
    public async Task RegisterNodeAsync(string name, IReadOnlyDictionary<string, string> labels, V1Taint taint, CancellationToken cancellationToken)
    {
        var capacity = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new("8"),
            ["memory"] = new("16Gi"),
            ["pods"] = new("110"),
        };
        var now = DateTime.UtcNow;
        var node = new V1Node
        {
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Labels = new Dictionary<string, string>(labels) { ["kubernetes.io/hostname"] = name },
            },
            Spec = new V1NodeSpec { Taints = [taint] },
            Status = new V1NodeStatus
            {
                Capacity = capacity,
                Allocatable = capacity,
                Conditions = [ReadyCondition(now, now)],
            },
        };
        var created = await _client.CoreV1.CreateNodeAsync(node, cancellationToken: cancellationToken);
        _nodes[name] = created;
        await RenewLeaseAsync(created, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_loops);
        }
        catch (OperationCanceledException)
        {
            // The loops end by cancellation; that is the normal way out.
        }

        foreach (var name in _nodes.Keys)
        {
            // The Lease is owned by the node, so the garbage collector removes it with the node.
            await IgnoreNotFoundAsync(() => _client.CoreV1.DeleteNodeAsync(name));
        }

        _stop.Dispose();
    }

    private async Task RunPodsAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // List, act on every pod, then watch from that version for a few seconds: level-triggered, with a
                // full relist at least every 5 s so that a failed patch or a missed event is retried.
                var list = await _client.CoreV1.ListNamespacedPodAsync(_namespace, cancellationToken: cancellationToken);
                foreach (var pod in list.Items)
                {
                    await HandleAsync(pod, cancellationToken);
                }

                await foreach (var (type, pod) in _client.CoreV1.WatchListNamespacedPodAsync(
                                   _namespace, resourceVersion: list.Metadata.ResourceVersion, timeoutSeconds: 5, cancellationToken: cancellationToken))
                {
                    if (type is WatchEventType.Added or WatchEventType.Modified)
                    {
                        await HandleAsync(pod, cancellationToken);
                    }
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                Record("pods", e);
                await Task.Delay(RetryDelay, cancellationToken);
            }
        }
    }

    private async Task HandleAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        try
        {
            if (pod.Metadata.DeletionTimestamp is not null)
            {
                if (_holdTerminating)
                {
                    return;
                }

                await IgnoreNotFoundAsync(() => _client.CoreV1.DeleteNamespacedPodAsync(
                    pod.Metadata.Name, _namespace, new V1DeleteOptions { GracePeriodSeconds = 0 }, cancellationToken: cancellationToken));
                return;
            }

            if (string.IsNullOrEmpty(pod.Spec.NodeName) || pod.Status?.Phase is "Succeeded" or "Failed")
            {
                return;
            }

            if (_completeJobPods && pod.Metadata.OwnerReferences?.Any(o => o.Kind == "Job" && o.Controller == true) == true)
            {
                await PatchStatusAsync(pod, SucceededStatus(pod), cancellationToken);
            }
            else if (!IsRunningAndReady(pod))
            {
                await PatchStatusAsync(pod, RunningStatus(pod), cancellationToken);
            }
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Gone or changed under us: the next event or relist brings the current state.
        }
    }

    private async Task RunHeartbeatsAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(HeartbeatPeriod, cancellationToken);
            foreach (var node in _nodes.Values)
            {
                try
                {
                    await RenewLeaseAsync(node, cancellationToken);
                    var now = DateTime.UtcNow;
                    var patch = new { status = new { conditions = new[] { ReadyCondition(now, node.Status.Conditions[0].LastTransitionTime ?? now) } } };
                    await _client.CoreV1.PatchNodeStatusAsync(
                        new V1Patch(KubernetesJson.Serialize(patch), V1Patch.PatchType.StrategicMergePatch),
                        node.Metadata.Name, cancellationToken: cancellationToken);
                }
                catch (Exception e) when (!cancellationToken.IsCancellationRequested)
                {
                    Record($"heartbeat {node.Metadata.Name}", e);
                }
            }
        }
    }

    /// <summary>Creates or renews the node's Lease, owned by the node as the kubelet's is.</summary>
    private async Task RenewLeaseAsync(V1Node node, CancellationToken cancellationToken)
    {
        var name = node.Metadata.Name;
        var now = DateTime.UtcNow;
        try
        {
            var lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(name, NodeLeaseNamespace, cancellationToken: cancellationToken);
            lease.Spec.RenewTime = now;
            await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, name, NodeLeaseNamespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            await _client.CoordinationV1.CreateNamespacedLeaseAsync(
                new V1Lease
                {
                    Metadata = new V1ObjectMeta
                    {
                        Name = name,
                        NamespaceProperty = NodeLeaseNamespace,
                        OwnerReferences = [new V1OwnerReference { ApiVersion = "v1", Kind = "Node", Name = name, Uid = node.Metadata.Uid }],
                    },
                    Spec = new V1LeaseSpec { HolderIdentity = name, LeaseDurationSeconds = 40, RenewTime = now },
                },
                NodeLeaseNamespace,
                cancellationToken: cancellationToken);
        }
    }

    private static V1NodeCondition ReadyCondition(DateTime heartbeat, DateTime transition) =>
        new()
        {
            Type = "Ready",
            Status = "True",
            LastHeartbeatTime = heartbeat,
            LastTransitionTime = transition,
            Reason = "KubeletReady",
            Message = "kubelet is posting ready status",
        };

    private static bool IsRunningAndReady(V1Pod pod) =>
        pod.Status?.Phase == "Running"
        && !string.IsNullOrEmpty(pod.Status.PodIP)
        && pod.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private Dictionary<string, object?> RunningStatus(V1Pod pod)
    {
        var n = Interlocked.Increment(ref _nextIp);
        var ip = string.Create(CultureInfo.InvariantCulture, $"10.{_ipBlock}.{n / 250 % 250}.{n % 250 + 2}");
        return PodStatuses.Running(pod, ip, "127.0.0.1", Timestamp());
    }

    private static Dictionary<string, object?> SucceededStatus(V1Pod pod)
    {
        var now = Timestamp();
        return new Dictionary<string, object?>
        {
            ["phase"] = "Succeeded",
            ["hostIP"] = "127.0.0.1",
            ["startTime"] = now,
            ["conditions"] = new[]
            {
                new Dictionary<string, object?> { ["type"] = "PodScheduled", ["status"] = "True", ["lastTransitionTime"] = now },
                new Dictionary<string, object?> { ["type"] = "Initialized", ["status"] = "True", ["lastTransitionTime"] = now },
                new Dictionary<string, object?> { ["type"] = "ContainersReady", ["status"] = "False", ["reason"] = "PodCompleted", ["lastTransitionTime"] = now },
                new Dictionary<string, object?> { ["type"] = "Ready", ["status"] = "False", ["reason"] = "PodCompleted", ["lastTransitionTime"] = now },
            },
            ["containerStatuses"] = pod.Spec.Containers.Select(c => new Dictionary<string, object?>
            {
                ["name"] = c.Name,
                ["image"] = c.Image,
                ["imageID"] = "",
                ["ready"] = false,
                ["restartCount"] = 0,
                ["started"] = false,
                ["state"] = new Dictionary<string, object?>
                {
                    ["terminated"] = new Dictionary<string, object?>
                    {
                        ["exitCode"] = 0,
                        ["reason"] = "Completed",
                        ["startedAt"] = now,
                        ["finishedAt"] = now,
                    },
                },
            }).ToArray(),
        };
    }

    private Task PatchStatusAsync(V1Pod pod, Dictionary<string, object?> status, CancellationToken cancellationToken) =>
        _client.CoreV1.PatchNamespacedPodStatusAsync(
            new V1Patch(JsonSerializer.Serialize(new Dictionary<string, object?> { ["status"] = status }), V1Patch.PatchType.MergePatch),
            pod.Metadata.Name, _namespace, cancellationToken: cancellationToken);

    private static string Timestamp() => PodStatuses.Now();

    private void Record(string what, Exception e)
    {
        _errors.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {what}: {e.GetType().Name}: {e.Message}");
        while (_errors.Count > 50)
        {
            _errors.TryDequeue(out _);
        }
    }

    private static async Task IgnoreNotFoundAsync(Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone is what we wanted.
        }
    }
}
