using System.Globalization;
using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Informers;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.Endpoints;

/// <summary>
/// kube-controller-manager's endpoints controller: for each Service with a selector, an Endpoints object of the
/// same name listing the selected pods' IPs (ready ones in <c>addresses</c>, others in <c>notReadyAddresses</c>,
/// all in <c>addresses</c> with publishNotReadyAddresses), grouped into subsets by their resolved ports. Services
/// without a selector are left alone; an Endpoints object goes with its Service. A pod change syncs only the
/// services of its namespace that select it.
/// </summary>
public sealed partial class EndpointsController : IController
{
    public const string Component = "endpoint-controller";

    private readonly ControllerContext _context;
    private readonly SharedIndexInformer<V1Service> _services;
    private readonly SharedIndexInformer<V1Pod> _pods;
    private readonly SharedIndexInformer<V1Endpoints> _endpoints;
    private readonly EventHandlerRegistration[] _registrations;
    private readonly ReconcileLoop _loop;
    private readonly ILogger _logger;

    public EndpointsController(ControllerContext context)
    {
        _context = context;
        _logger = context.Loggers.CreateLogger<EndpointsController>();
        _loop = new ReconcileLoop(Name, SyncAsync, _logger, context.Time);
        _services = context.Informers.For<V1Service>();
        _pods = context.Informers.For<V1Pod>();
        _endpoints = context.Informers.For<V1Endpoints>();
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
            _endpoints.AddEventHandler(new ResourceEventHandler<V1Endpoints>(
                onDelete: (endpoints, _) => _loop.Enqueue(ObjectKeys.KeyOf(endpoints)))),
        ];
    }

    public static ControllerDescriptor Descriptor { get; } = new("endpoints", context => new EndpointsController(context));

    public string Name => "endpoints";

    public Task RunAsync(CancellationToken cancellationToken) => _loop.RunAsync(_context.Options.Workers, cancellationToken);

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
        var service = _services.Lister.Get(ns, name);
        if (service is null)
        {
            // As upstream: the Endpoints object goes with its Service.
            if (_endpoints.Lister.Get(ns, name) is null) return;
            try
            {
                await _context.Client.CoreV1.DeleteNamespacedEndpointsAsync(name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
            }

            return;
        }

        if (ServicePods.SelectorOf(service) is not { } selector || service.Spec.Type == "ExternalName") return;

        var publishNotReady = service.Spec.PublishNotReadyAddresses == true;
        var family = ServicePods.FamiliesOf(service)[0];
        var entries = new List<EndpointSubsets.Entry>();
        DateTime? trigger = service.Metadata.CreationTimestamp;
        foreach (var pod in _pods.Indexer.ByIndex(Indexer<V1Pod>.NamespaceIndex, ns))
        {
            if (!ServicePods.Selects(selector, pod.Metadata.Labels) || !ServicePods.ShouldBeInEndpoints(pod, publishNotReady)) continue;
            if (ServicePods.IpOf(pod, family) is not { } ip) continue;
            var address = new V1EndpointAddress
            {
                Ip = ip,
                NodeName = string.IsNullOrEmpty(pod.Spec.NodeName) ? null : pod.Spec.NodeName,
                Hostname = ServicePods.HostnameFor(pod, service),
                TargetRef = new V1ObjectReference { Kind = "Pod", NamespaceProperty = ns, Name = pod.Metadata.Name, Uid = pod.Metadata.Uid },
            };
            var ready = publishNotReady || PodConditions.IsReady(pod);
            if (ServicePods.TriggerTimeOf(pod) is { } podTrigger && (trigger is null || podTrigger > trigger)) trigger = podTrigger;
            if (service.Spec.Ports is not { Count: > 0 } servicePorts)
            {
                // A headless service without ports still lists its pods, as upstream does.
                if (service.Spec.ClusterIP == "None") entries.Add(new EndpointSubsets.Entry(address, ready, []));
                continue;
            }

            var ports = new List<Corev1EndpointPort>(servicePorts.Count);
            foreach (var servicePort in servicePorts)
            {
                if (ServicePods.FindPort(pod, servicePort) is not { } port) continue;
                ports.Add(new Corev1EndpointPort { Name = servicePort.Name, Port = port, Protocol = servicePort.Protocol ?? "TCP", AppProtocol = servicePort.AppProtocol });
            }

            foreach (var port in ports)
            {
                entries.Add(new EndpointSubsets.Entry(address, ready, [port]));
            }
        }

        var subsets = EndpointSubsets.Repack(entries);
        var truncated = EndpointSubsets.Truncate(subsets, EndpointSubsets.MaxCapacity);
        var labels = service.Metadata.Labels is { } serviceLabels ? new Dictionary<string, string>(serviceLabels) : new Dictionary<string, string>();
        if (service.Spec.ClusterIP == "None") labels[ServicePods.HeadlessLabel] = "";
        else labels.Remove(ServicePods.HeadlessLabel);

        var current = _endpoints.Lister.Get(ns, name);
        if (current is not null && Same(current, subsets, labels, truncated)) return;

        var desired = current is null
            ? new V1Endpoints { ApiVersion = "v1", Kind = "Endpoints", Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns } }
            : KubernetesJson.Deserialize<V1Endpoints>(KubernetesJson.Serialize(current));
        desired.Metadata.Labels = labels.Count > 0 ? labels : null;
        var annotations = desired.Metadata.Annotations is { } existing ? new Dictionary<string, string>(existing) : new Dictionary<string, string>();
        if (trigger is { } at) annotations[ServicePods.LastChangeTriggerTime] = FormatTime(at);
        else annotations.Remove(ServicePods.LastChangeTriggerTime);
        if (truncated) annotations[EndpointSubsets.OverCapacityAnnotation] = "truncated";
        else annotations.Remove(EndpointSubsets.OverCapacityAnnotation);
        desired.Metadata.Annotations = annotations.Count > 0 ? annotations : null;
        desired.Subsets = subsets.Count > 0 ? subsets : null;

        if (current is null)
        {
            await _context.Client.CoreV1.CreateNamespacedEndpointsAsync(desired, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _context.Client.CoreV1.ReplaceNamespacedEndpointsAsync(desired, name, ns, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        LogSynced(_logger, ns, name, entries.Count);
    }

    private static bool Same(V1Endpoints current, List<V1EndpointSubset> subsets, Dictionary<string, string> labels, bool truncated)
    {
        var currentLabels = current.Metadata.Labels;
        if ((currentLabels?.Count ?? 0) != labels.Count) return false;
        foreach (var (key, value) in labels)
        {
            if (currentLabels is null || !currentLabels.TryGetValue(key, out var other) || other != value) return false;
        }

        var wasTruncated = current.Metadata.Annotations?.ContainsKey(EndpointSubsets.OverCapacityAnnotation) == true;
        if (wasTruncated != truncated) return false;
        return KubernetesJson.Serialize(current.Subsets ?? []) == KubernetesJson.Serialize(subsets);
    }

    internal static string FormatTime(DateTime time) =>
        DateTime.SpecifyKind(time, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Endpoints {Namespace}/{Service} written from {Count} pod ports")]
    private static partial void LogSynced(ILogger logger, string @namespace, string service, int count);
}
