using System.Net;
using System.Text.Json;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Events;
using Navarch.Client.Informers;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.NodeIpam;

/// <summary>
/// Gives every node a pod CIDR from the cluster CIDR, as kube-controller-manager's nodeipam controller with the
/// RangeAllocator: at start the CIDRs of existing nodes are marked taken, each node without one gets the next
/// free <c>/NodeCidrMaskSize</c> block in <c>spec.podCIDR</c> and <c>spec.podCIDRs</c>, and a deleted node's
/// block returns to the pool. When the range is full the node gets a CIDRNotAvailable event and a
/// NetworkUnavailable condition, and is retried when a block frees up.
/// </summary>
public sealed partial class NodeIpamController : IController
{
    /// <summary>The event source upstream's range allocator records as.</summary>
    public const string Component = "cidrAllocator";

    /// <summary>Reason of the NetworkUnavailable condition set while no CIDR can be given.</summary>
    public const string NoCidrReason = "NoCIDRAvailable";

    private static readonly TimeSpan FullRetry = TimeSpan.FromSeconds(30);

    private readonly ControllerContext _context;
    private readonly SharedIndexInformer<V1Node> _nodes;
    private readonly EventHandlerRegistration _registration;
    private readonly ReconcileLoop _loop;
    private readonly IEventRecorder _recorder;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly CidrSet _cidrs;

    // Blocks handed to nodes whose patch the cache has not shown yet, so a second sync reuses rather than re-allocates.
    private readonly Dictionary<string, IPNetwork> _pending = new(StringComparer.Ordinal);

    // Nodes that found the range full; a release wakes them.
    private readonly HashSet<string> _waiting = new(StringComparer.Ordinal);

    public NodeIpamController(ControllerContext context)
    {
        _context = context;
        _logger = context.Loggers.CreateLogger<NodeIpamController>();
        _recorder = context.Recorder(Component);
        _cidrs = new CidrSet(IPNetwork.Parse(context.Options.ClusterCidr), context.Options.NodeCidrMaskSize);
        _loop = new ReconcileLoop(Name, SyncAsync, _logger, context.Time);
        _nodes = context.Informers.For<V1Node>();
        _registration = _nodes.AddEventHandler(new ResourceEventHandler<V1Node>(
            (node, _) => OnChanged(node),
            (_, node) => OnChanged(node),
            (node, _) => OnDeleted(node)));
    }

    public static ControllerDescriptor Descriptor { get; } = new("nodeipam", context => new NodeIpamController(context));

    public string Name => "nodeipam";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // As the range allocator does at start: every CIDR already in use is taken before anything is handed out.
        lock (_lock)
        {
            foreach (var node in _nodes.Lister.List())
            {
                foreach (var cidr in CidrsOf(node))
                {
                    if (!_cidrs.Occupy(cidr)) LogOutOfRange(_logger, node.Metadata.Name, cidr.ToString(), _cidrs.Cluster.ToString());
                }
            }
        }

        await _loop.RunAsync(_context.Options.Workers, cancellationToken).ConfigureAwait(false);
    }

    private void OnChanged(V1Node node)
    {
        var cidrs = CidrsOf(node);
        if (cidrs.Count > 0)
        {
            // Also covers nodes created with a CIDR already set: theirs must never be handed to another node.
            lock (_lock)
            {
                _pending.Remove(node.Metadata.Name);
                foreach (var cidr in cidrs) _cidrs.Occupy(cidr);
            }

            return;
        }

        _loop.Enqueue(node.Metadata.Name);
    }

    private void OnDeleted(V1Node node)
    {
        string[] wake;
        lock (_lock)
        {
            foreach (var cidr in CidrsOf(node))
            {
                _cidrs.Release(cidr);
            }

            if (_pending.Remove(node.Metadata.Name, out var pending)) _cidrs.Release(pending);
            _waiting.Remove(node.Metadata.Name);
            wake = [.. _waiting];
        }

        foreach (var name in wake)
        {
            _loop.Enqueue(name);
        }
    }

    private async Task SyncAsync(string name, CancellationToken cancellationToken)
    {
        var node = _nodes.Lister.Get(name);
        if (node is null) return;
        var existing = CidrsOf(node);
        if (existing.Count > 0)
        {
            lock (_lock)
            {
                _pending.Remove(name);
                _waiting.Remove(name);
                foreach (var cidr in existing) _cidrs.Occupy(cidr);
            }

            return;
        }

        IPNetwork allocated;
        lock (_lock)
        {
            if (!_pending.TryGetValue(name, out allocated))
            {
                if (!_cidrs.TryAllocateNext(out allocated))
                {
                    _waiting.Add(name);
                    allocated = default;
                }
                else
                {
                    _pending[name] = allocated;
                    _waiting.Remove(name);
                }
            }
        }

        if (allocated == default)
        {
            await ReportFullAsync(node, cancellationToken).ConfigureAwait(false);
            _loop.EnqueueAfter(name, FullRetry);
            return;
        }

        var text = allocated.ToString();
        var patch = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["spec"] = new Dictionary<string, object> { ["podCIDR"] = text, ["podCIDRs"] = new[] { text } },
        });
        try
        {
            await _context.Client.CoreV1.PatchNodeAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), name, cancellationToken: cancellationToken).ConfigureAwait(false);
            LogAssigned(_logger, name, text);
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            lock (_lock)
            {
                if (_pending.Remove(name)) _cidrs.Release(allocated);
            }

            if (e.Response.StatusCode == HttpStatusCode.NotFound) return;
            _recorder.Event(node, EventTypes.Normal, "CIDRAssignmentFailed", $"Node {name} status is now: CIDRAssignmentFailed");
            throw;
        }

        if (NetworkUnavailableByUs(node)) await ClearNetworkUnavailableAsync(name, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReportFullAsync(V1Node node, CancellationToken cancellationToken)
    {
        // As RecordNodeStatusChange: a Normal event whose reason is the new status.
        _recorder.Event(node, EventTypes.Normal, "CIDRNotAvailable", $"Node {node.Metadata.Name} status is now: CIDRNotAvailable");
        if (NetworkUnavailableByUs(node)) return;
        var copy = KubernetesJson.Deserialize<V1Node>(KubernetesJson.Serialize(node));
        copy.Status ??= new V1NodeStatus();
        copy.Status.Conditions ??= new List<V1NodeCondition>();
        var now = _context.Time.GetUtcNow().UtcDateTime;
        SetCondition(copy.Status.Conditions, new V1NodeCondition
        {
            Type = "NetworkUnavailable",
            Status = "True",
            Reason = NoCidrReason,
            Message = $"No pod CIDR is left in the cluster CIDR {_cidrs.Cluster}",
            LastHeartbeatTime = now,
            LastTransitionTime = now,
        });
        await _context.Client.CoreV1.ReplaceNodeStatusAsync(copy, node.Metadata.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task ClearNetworkUnavailableAsync(string name, CancellationToken cancellationToken)
    {
        var node = await _context.Client.CoreV1.ReadNodeAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!NetworkUnavailableByUs(node)) return;
        var now = _context.Time.GetUtcNow().UtcDateTime;
        SetCondition(node.Status.Conditions, new V1NodeCondition
        {
            Type = "NetworkUnavailable",
            Status = "False",
            Reason = "CIDRAssigned",
            Message = "The node was given a pod CIDR",
            LastHeartbeatTime = now,
            LastTransitionTime = now,
        });
        await _context.Client.CoreV1.ReplaceNodeStatusAsync(node, name, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static bool NetworkUnavailableByUs(V1Node node)
    {
        foreach (var condition in node.Status?.Conditions ?? [])
        {
            if (condition.Type == "NetworkUnavailable") return condition.Status == "True" && condition.Reason == NoCidrReason;
        }

        return false;
    }

    private static void SetCondition(IList<V1NodeCondition> conditions, V1NodeCondition condition)
    {
        for (var i = 0; i < conditions.Count; i++)
        {
            if (conditions[i].Type != condition.Type) continue;
            conditions[i] = condition;
            return;
        }

        conditions.Add(condition);
    }

    /// <summary>The node's pod CIDRs that parse (podCIDRs, or the single podCIDR of older nodes).</summary>
    internal static IReadOnlyList<IPNetwork> CidrsOf(V1Node node)
    {
        IList<string> texts = node.Spec?.PodCIDRs is { Count: > 0 } list ? list
            : string.IsNullOrEmpty(node.Spec?.PodCIDR) ? [] : [node.Spec.PodCIDR];
        if (texts.Count == 0) return [];
        var result = new List<IPNetwork>(texts.Count);
        foreach (var text in texts)
        {
            if (IPNetwork.TryParse(text, out var cidr)) result.Add(cidr);
        }

        return result;
    }

    public void Dispose() => _registration.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {Node} was given pod CIDR {Cidr}")]
    private static partial void LogAssigned(ILogger logger, string node, string cidr);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {Node} has pod CIDR {Cidr} outside the cluster CIDR {Cluster}; it is left alone")]
    private static partial void LogOutOfRange(ILogger logger, string node, string cidr, string cluster);
}
