using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Informers;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.PodGC;

/// <summary>
/// Kubernetes' pod garbage collector: every <see cref="PodGcOptions.CheckPeriod"/> it force-deletes terminated
/// pods beyond <c>--terminated-pod-gc-threshold</c> (oldest first), pods bound to nodes that no longer exist
/// (after a quarantine, marked Failed with a DisruptionTarget condition first), and terminating pods that were
/// never scheduled, which no kubelet will ever finish.
/// </summary>
public sealed partial class PodGcController : IController
{
    /// <summary>The condition PodGC sets before deleting a pod whose node is gone, as Kubernetes does.</summary>
    public const string DisruptionTarget = "DisruptionTarget";

    private readonly IKubernetes _client;
    private readonly SharedIndexInformer<V1Pod> _pods;
    private readonly SharedIndexInformer<V1Node> _nodes;
    private readonly PodGcOptions _options;
    private readonly int _threshold;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Nodes pods are bound to but the cache lacks, with when that was first seen (the quarantine's start).</summary>
    private readonly Dictionary<string, DateTimeOffset> _absentNodes = new(StringComparer.Ordinal);

    public PodGcController(ControllerContext context)
        : this(context, new PodGcOptions())
    {
    }

    internal PodGcController(ControllerContext context, PodGcOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        _client = context.Client;
        _options = options;
        _threshold = context.Options.TerminatedPodGcThreshold;
        _time = context.Time;
        _logger = context.Loggers.CreateLogger<PodGcController>();
        _pods = context.Informers.For<V1Pod>();
        _nodes = context.Informers.For<V1Node>();
    }

    /// <summary>kube-controller-manager's "podgc" controller.</summary>
    public static ControllerDescriptor Descriptor { get; } = new("podgc", context => new PodGcController(context));

    /// <summary>The descriptor with other internal timings (tests).</summary>
    internal static ControllerDescriptor DescriptorWith(PodGcOptions options) => new("podgc", context => new PodGcController(context, options));

    public string Name => "podgc";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await CollectAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is k8s.Autorest.HttpOperationException or HttpRequestException)
            {
                // The next period tries again, as Kubernetes' gc loop does.
                LogPassFailed(_logger, e);
            }

            try
            {
                await Task.Delay(_options.CheckPeriod, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        // No handlers: PodGC reads the caches on its own schedule.
    }

    /// <summary>One pass, as Kubernetes' gc(): terminated beyond the threshold, orphaned, unscheduled and terminating.</summary>
    internal async Task CollectAsync(CancellationToken cancellationToken)
    {
        var pods = _pods.Indexer.List();
        if (_threshold > 0) await CollectTerminatedAsync(pods, cancellationToken).ConfigureAwait(false);
        await CollectOrphanedAsync(pods, cancellationToken).ConfigureAwait(false);
        await CollectUnscheduledTerminatingAsync(pods, cancellationToken).ConfigureAwait(false);
    }

    private async Task CollectTerminatedAsync(IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken)
    {
        var terminated = new List<V1Pod>();
        foreach (var pod in pods)
        {
            if (PodConditions.IsTerminal(pod)) terminated.Add(pod);
        }

        var excess = terminated.Count - _threshold;
        if (excess <= 0) return;

        // Evicted pods go first, then the oldest, as Kubernetes' byEvictionAndCreationTimestamp orders them.
        terminated.Sort(static (a, b) =>
        {
            var evicted = IsEvicted(b).CompareTo(IsEvicted(a));
            if (evicted != 0) return evicted;
            var created = Nullable.Compare(a.Metadata.CreationTimestamp, b.Metadata.CreationTimestamp);
            return created != 0 ? created : string.CompareOrdinal(a.Metadata.Name, b.Metadata.Name);
        });
        LogTerminated(_logger, terminated.Count, _threshold, excess);
        await Parallel.ForEachAsync(terminated.Take(excess), new ParallelOptions { MaxDegreeOfParallelism = 20, CancellationToken = cancellationToken },
            async (pod, ct) => await MarkFailedAndDeleteAsync(pod, null, ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    private async Task CollectOrphanedAsync(IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var podsOnAbsentNodes = new Dictionary<string, List<V1Pod>>(StringComparer.Ordinal);
        foreach (var pod in pods)
        {
            if (pod.Spec?.NodeName is not { Length: > 0 } node || _nodes.Indexer.Get(node) is not null) continue;
            if (!podsOnAbsentNodes.TryGetValue(node, out var list)) podsOnAbsentNodes[node] = list = [];
            list.Add(pod);
        }

        // Forget nodes that came back or no longer have pods.
        foreach (var node in _absentNodes.Keys.ToList())
        {
            if (!podsOnAbsentNodes.ContainsKey(node)) _absentNodes.Remove(node);
        }

        foreach (var (node, onNode) in podsOnAbsentNodes)
        {
            if (!_absentNodes.TryGetValue(node, out var since))
            {
                _absentNodes[node] = now;
                continue;
            }

            if (now - since < _options.Quarantine) continue;
            if (await NodeExistsAsync(node, cancellationToken).ConfigureAwait(false))
            {
                _absentNodes.Remove(node);
                continue;
            }

            foreach (var pod in onNode)
            {
                LogOrphaned(_logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name, node);
                await MarkFailedAndDeleteAsync(pod, new V1PodCondition
                {
                    Type = DisruptionTarget,
                    Status = "True",
                    Reason = "DeletionByPodGC",
                    Message = "PodGC: node no longer exists",
                    LastTransitionTime = now.UtcDateTime,
                }, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task CollectUnscheduledTerminatingAsync(IReadOnlyList<V1Pod> pods, CancellationToken cancellationToken)
    {
        foreach (var pod in pods)
        {
            if (pod.Metadata.DeletionTimestamp is null || !string.IsNullOrEmpty(pod.Spec?.NodeName)) continue;
            LogUnscheduledTerminating(_logger, pod.Metadata.NamespaceProperty, pod.Metadata.Name);
            await MarkFailedAndDeleteAsync(pod, null, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<bool> NodeExistsAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await _client.CoreV1.ReadNodeAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>
    /// As Kubernetes' markFailedAndDeletePodWithCondition: a pod not yet finished is marked Failed (with the
    /// condition, if any) so its owner counts it as failed, then force-deleted.
    /// </summary>
    private async Task MarkFailedAndDeleteAsync(V1Pod pod, V1PodCondition? condition, CancellationToken cancellationToken)
    {
        var ns = pod.Metadata.NamespaceProperty;
        var name = pod.Metadata.Name;
        try
        {
            if (!PodConditions.IsTerminal(pod))
            {
                var conditions = new List<V1PodCondition>();
                foreach (var existing in pod.Status?.Conditions ?? [])
                {
                    if (condition is null || existing.Type != condition.Type) conditions.Add(existing);
                }

                if (condition is not null) conditions.Add(condition);
                var patch = new Dictionary<string, object?>
                {
                    ["metadata"] = new Dictionary<string, object?> { ["uid"] = pod.Metadata.Uid },
                    ["status"] = new Dictionary<string, object?>
                    {
                        ["phase"] = "Failed",
                        ["conditions"] = JsonDocument.Parse(KubernetesJson.Serialize(conditions)).RootElement,
                    },
                };
                await _client.CoreV1.PatchNamespacedPodStatusAsync(
                    new V1Patch(JsonSerializer.Serialize(patch), V1Patch.PatchType.MergePatch), name, ns,
                    cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            await _client.CoreV1.DeleteNamespacedPodAsync(name, ns, new V1DeleteOptions
            {
                GracePeriodSeconds = 0,
                Preconditions = new V1Preconditions { Uid = pod.Metadata.Uid },
            }, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
        {
            // Gone already, or replaced by another pod of the same name: nothing of this one is left to collect.
        }
    }

    private static bool IsEvicted(V1Pod pod) => pod.Status?.Reason == "Evicted";

    [LoggerMessage(Level = LogLevel.Information, Message = "Garbage collecting {Excess} of {Count} terminated pods (threshold {Threshold})")]
    private static partial void LogTerminated(ILogger logger, int count, int threshold, int excess);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleting pod {Namespace}/{Name}: its node {Node} no longer exists")]
    private static partial void LogOrphaned(ILogger logger, string @namespace, string name, string node);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleting unscheduled terminating pod {Namespace}/{Name}")]
    private static partial void LogUnscheduledTerminating(ILogger logger, string @namespace, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A PodGC pass failed; retrying next period")]
    private static partial void LogPassFailed(ILogger logger, Exception error);
}
