using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Informers;
using Navarch.Controllers.Endpoints;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.EndpointSlice;

/// <summary>
/// kube-controller-manager's EndpointSlice controller: for each Service with a selector, discovery.k8s.io/v1
/// EndpointSlices (named <c>&lt;service&gt;-</c> plus a suffix, owned by the Service, labelled with the service
/// name and this controller as manager) holding the selected pods with their ready/serving/terminating
/// conditions, node, zone and resolved ports, at most <see cref="MaxEndpointsPerSlice"/> per slice. Changes are
/// made in place with as few writes as the <see cref="SlicePlanner"/> finds.
/// </summary>
public sealed partial class EndpointSliceController : IController
{
    public const string Component = "endpointslice-controller";
    public const string ManagedBy = "endpointslice-controller.k8s.io";
    public const string ManagedByLabel = "endpointslice.kubernetes.io/managed-by";
    public const string ServiceNameLabel = "kubernetes.io/service-name";
    public const string ZoneLabel = "topology.kubernetes.io/zone";

    /// <summary>As --max-endpoints-per-slice's default.</summary>
    public const int MaxEndpointsPerSlice = 100;

    private const string ByServiceIndex = "endpointslice.managed-by-service";

    private readonly ControllerContext _context;
    private readonly SharedIndexInformer<V1Service> _services;
    private readonly SharedIndexInformer<V1Pod> _pods;
    private readonly SharedIndexInformer<V1Node> _nodes;
    private readonly SharedIndexInformer<V1EndpointSlice> _slices;
    private readonly EventHandlerRegistration[] _registrations;
    private readonly ReconcileLoop _loop;
    private readonly SliceTracker _tracker;
    private readonly ILogger _logger;

    public EndpointSliceController(ControllerContext context)
    {
        _context = context;
        _logger = context.Loggers.CreateLogger<EndpointSliceController>();
        _loop = new ReconcileLoop(Name, SyncAsync, _logger, context.Time);
        _tracker = new SliceTracker(context.Time);
        _services = context.Informers.For<V1Service>();
        _pods = context.Informers.For<V1Pod>();
        _nodes = context.Informers.For<V1Node>();
        _slices = context.Informers.For<V1EndpointSlice>();
        try
        {
            _slices.Indexer.AddIndex(ByServiceIndex, static slice => ServiceKeyOf(slice));
        }
        catch (InvalidOperationException)
        {
            // Added by this controller in an earlier leadership term; the informers outlive controllers.
        }

        _registrations =
        [
            _services.AddEventHandler(new ResourceEventHandler<V1Service>(
                (service, _) => _loop.Enqueue(ObjectKeys.KeyOf(service)),
                (_, service) => _loop.Enqueue(ObjectKeys.KeyOf(service)),
                (service, _) => _loop.Enqueue(ObjectKeys.KeyOf(service)))),
            _pods.AddEventHandler(new ResourceEventHandler<V1Pod>(
                (pod, _) => EnqueueServices(null, pod),
                EnqueueServices,
                (pod, _) => EnqueueServices(pod, null))),
            _slices.AddEventHandler(new ResourceEventHandler<V1EndpointSlice>(
                (slice, _) => EnqueueOwner(slice),
                (old, slice) =>
                {
                    if (old.Metadata.ResourceVersion != slice.Metadata.ResourceVersion) EnqueueOwner(slice);
                },
                (slice, _) => EnqueueOwner(slice))),
        ];
    }

    public static ControllerDescriptor Descriptor { get; } = new("endpointslice", context => new EndpointSliceController(context));

    public string Name => "endpointslice";

    public Task RunAsync(CancellationToken cancellationToken) => _loop.RunAsync(_context.Options.Workers, cancellationToken);

    private static string? ServiceKeyOf(V1EndpointSlice slice)
    {
        var labels = slice.Metadata?.Labels;
        if (labels is null || !labels.TryGetValue(ManagedByLabel, out var manager) || manager != ManagedBy) return null;
        return labels.TryGetValue(ServiceNameLabel, out var service) ? ObjectKeys.Key(slice.Metadata!.NamespaceProperty, service) : null;
    }

    private void EnqueueOwner(V1EndpointSlice slice)
    {
        if (ServiceKeyOf(slice) is { } key) _loop.Enqueue(key);
    }

    private void EnqueueServices(V1Pod? old, V1Pod? pod)
    {
        foreach (var key in ServicePods.ServicesToSync(_services.Indexer, old, pod))
        {
            _loop.Enqueue(key);
        }
    }

    private async Task SyncAsync(string key, CancellationToken cancellationToken)
    {
        var (ns, name) = ObjectKeys.Split(key);
        var existing = _slices.Indexer.ByIndex(ByServiceIndex, key);
        var service = _services.Lister.Get(ns, name);
        if (service is null)
        {
            // Garbage collection would remove owned slices too; deleting them here is what upstream does as well.
            foreach (var slice in existing)
            {
                await DeleteAsync(key, slice, cancellationToken).ConfigureAwait(false);
            }

            _tracker.Forget(key);
            return;
        }

        if (ServicePods.SelectorOf(service) is not { } selector || service.Spec.Type == "ExternalName") return;
        if (!_tracker.UpToDate(key, existing))
        {
            // Our own last writes are not in the cache yet: acting now could place endpoints twice.
            _loop.EnqueueAfter(key, TimeSpan.FromMilliseconds(100));
            return;
        }

        var (groups, trigger) = Desired(service, selector);
        var labels = LabelsFor(service);
        var plan = SlicePlanner.Plan(existing, groups, (type, ports) => NewSlice(service, type, ports, labels), labels, MaxEndpointsPerSlice);
        if (plan.IsEmpty) return;

        var triggerText = trigger is { } at ? EndpointsController.FormatTime(at) : null;
        // As upstream: creates first, then updates, then deletes, so endpoints are never missing in between.
        foreach (var slice in plan.Creates)
        {
            SetTrigger(slice, triggerText);
            var created = await _context.Client.DiscoveryV1.CreateNamespacedEndpointSliceAsync(slice, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            _tracker.Written(key, created);
        }

        foreach (var slice in plan.Updates)
        {
            SetTrigger(slice, triggerText);
            var updated = await _context.Client.DiscoveryV1.ReplaceNamespacedEndpointSliceAsync(slice, slice.Metadata.Name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            _tracker.Written(key, updated);
        }

        foreach (var slice in plan.Deletes)
        {
            await DeleteAsync(key, slice, cancellationToken).ConfigureAwait(false);
        }

        LogSynced(_logger, ns, name, plan.Creates.Count, plan.Updates.Count, plan.Deletes.Count);
    }

    private (List<DesiredGroup> Groups, DateTime? Trigger) Desired(V1Service service, IDictionary<string, string> selector)
    {
        var ns = service.Metadata.NamespaceProperty;
        var families = ServicePods.FamiliesOf(service);
        var groups = new Dictionary<string, DesiredGroup>(StringComparer.Ordinal);
        DateTime? trigger = service.Metadata.CreationTimestamp;
        var publishNotReady = service.Spec.PublishNotReadyAddresses == true;
        foreach (var pod in _pods.Indexer.ByIndex(Indexer<V1Pod>.NamespaceIndex, ns))
        {
            if (!ServicePods.Selects(selector, pod.Metadata.Labels) || !ServicePods.ShouldBeInEndpoints(pod, includeTerminating: true)) continue;
            if (ServicePods.TriggerTimeOf(pod) is { } podTrigger && (trigger is null || podTrigger > trigger)) trigger = podTrigger;
            var ports = PortsFor(service, pod);
            var serving = PodConditions.IsReady(pod);
            var terminating = pod.Metadata.DeletionTimestamp is not null;
            string? zone = null;
            if (!string.IsNullOrEmpty(pod.Spec.NodeName) && _nodes.Lister.Get(pod.Spec.NodeName)?.Metadata.Labels is { } nodeLabels)
            {
                nodeLabels.TryGetValue(ZoneLabel, out zone);
            }

            foreach (var family in families)
            {
                if (ServicePods.IpOf(pod, family) is not { } ip) continue;
                var groupKey = SlicePlanner.GroupKey(family, ports);
                if (!groups.TryGetValue(groupKey, out var group))
                {
                    group = new DesiredGroup(family, ports, new Dictionary<string, V1Endpoint>(StringComparer.Ordinal));
                    groups[groupKey] = group;
                }

                var endpoint = new V1Endpoint
                {
                    Addresses = [ip],
                    Conditions = new V1EndpointConditions
                    {
                        Ready = publishNotReady || (serving && !terminating),
                        Serving = serving,
                        Terminating = terminating,
                    },
                    NodeName = string.IsNullOrEmpty(pod.Spec.NodeName) ? null : pod.Spec.NodeName,
                    Zone = zone,
                    Hostname = ServicePods.HostnameFor(pod, service),
                    TargetRef = new V1ObjectReference { Kind = "Pod", NamespaceProperty = ns, Name = pod.Metadata.Name, Uid = pod.Metadata.Uid },
                };
                group.Endpoints[SlicePlanner.EndpointKey(endpoint)] = endpoint;
            }
        }

        if (groups.Count == 0)
        {
            // No endpoints: an empty group of the primary family, so the placeholder has the right address type.
            groups[""] = new DesiredGroup(families[0], null, new Dictionary<string, V1Endpoint>(StringComparer.Ordinal));
        }

        return ([.. groups.Values], trigger);
    }

    private static List<Discoveryv1EndpointPort> PortsFor(V1Service service, V1Pod pod)
    {
        var ports = new List<Discoveryv1EndpointPort>();
        foreach (var servicePort in service.Spec.Ports ?? [])
        {
            if (ServicePods.FindPort(pod, servicePort) is not { } port) continue;
            ports.Add(new Discoveryv1EndpointPort { Name = servicePort.Name ?? "", Port = port, Protocol = servicePort.Protocol ?? "TCP", AppProtocol = servicePort.AppProtocol });
        }

        return ports;
    }

    private static Dictionary<string, string> LabelsFor(V1Service service)
    {
        var labels = service.Metadata.Labels is { } serviceLabels ? new Dictionary<string, string>(serviceLabels) : new Dictionary<string, string>();
        labels[ServiceNameLabel] = service.Metadata.Name;
        labels[ManagedByLabel] = ManagedBy;
        if (service.Spec.ClusterIP == "None") labels[ServicePods.HeadlessLabel] = "";
        else labels.Remove(ServicePods.HeadlessLabel);
        return labels;
    }

    private static V1EndpointSlice NewSlice(V1Service service, string addressType, IList<Discoveryv1EndpointPort>? ports, Dictionary<string, string> labels) => new()
    {
        ApiVersion = "discovery.k8s.io/v1",
        Kind = "EndpointSlice",
        Metadata = new V1ObjectMeta
        {
            GenerateName = service.Metadata.Name + "-",
            NamespaceProperty = service.Metadata.NamespaceProperty,
            Labels = new Dictionary<string, string>(labels),
            OwnerReferences = [OwnerReferences.ControllerRef(service, "v1", "Service")],
        },
        AddressType = addressType,
        Endpoints = new List<V1Endpoint>(),
        Ports = ports is { Count: > 0 } ? [.. ports] : null,
    };

    private static void SetTrigger(V1EndpointSlice slice, string? trigger)
    {
        if (trigger is null) return;
        slice.Metadata.Annotations ??= new Dictionary<string, string>();
        slice.Metadata.Annotations[ServicePods.LastChangeTriggerTime] = trigger;
    }

    private async Task DeleteAsync(string key, V1EndpointSlice slice, CancellationToken cancellationToken)
    {
        try
        {
            await _context.Client.DiscoveryV1.DeleteNamespacedEndpointSliceAsync(
                slice.Metadata.Name, slice.Metadata.NamespaceProperty,
                new V1DeleteOptions { Preconditions = new V1Preconditions { Uid = slice.Metadata.Uid } },
                cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }

        _tracker.Deleting(key, slice);
    }

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "EndpointSlices of {Namespace}/{Service}: {Creates} created, {Updates} updated, {Deletes} deleted")]
    private static partial void LogSynced(ILogger logger, string @namespace, string service, int creates, int updates, int deletes);
}
