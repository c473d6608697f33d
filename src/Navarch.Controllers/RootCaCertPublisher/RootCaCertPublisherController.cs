using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Informers;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.RootCaCertPublisher;

/// <summary>
/// kube-controller-manager's root-ca-cert-publisher: every active namespace holds a ConfigMap
/// <c>kube-root-ca.crt</c> whose <c>ca.crt</c> is the cluster CA, so pods' projected <c>kube-api-access-*</c> volumes can
/// verify the API server. The ConfigMap is made when the namespace appears, put back when its data or description is
/// changed, and made again when deleted.
/// </summary>
public sealed partial class RootCaCertPublisherController : IController
{
    /// <summary>The ConfigMap every namespace gets (upstream's RootCACertConfigMapName).</summary>
    public const string ConfigMapName = "kube-root-ca.crt";

    /// <summary>The key holding the PEM bundle.</summary>
    public const string CaKey = "ca.crt";

    public const string DescriptionAnnotation = "kubernetes.io/description";

    /// <summary>The description upstream puts on the ConfigMap, word for word.</summary>
    public const string Description = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the "
        + "internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

    private readonly IKubernetes _client;
    private readonly string _rootCa;
    private readonly SharedIndexInformer<V1Namespace> _namespaces;
    private readonly SharedIndexInformer<V1ConfigMap> _configMaps;
    private readonly EventHandlerRegistration _namespaceRegistration;
    private readonly EventHandlerRegistration _configMapRegistration;
    private readonly ReconcileLoop _loop;
    private readonly ILogger _logger;

    /// <summary>Publishes <paramref name="rootCa"/> (PEM) in every namespace.</summary>
    public RootCaCertPublisherController(ControllerContext context, string rootCa)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(rootCa);
        _client = context.Client;
        _rootCa = rootCa;
        _logger = context.Loggers.CreateLogger<RootCaCertPublisherController>();
        _loop = new ReconcileLoop(Name, SyncAsync, _logger, context.Time);
        _namespaces = context.Informers.For<V1Namespace>();
        // Only the one ConfigMap per namespace matters, so the cache holds no one else's ConfigMaps.
        _configMaps = context.Informers.For<V1ConfigMap>(fieldSelector: "metadata.name=" + ConfigMapName);
        _namespaceRegistration = _namespaces.AddEventHandler(new ResourceEventHandler<V1Namespace>(
            (ns, _) => _loop.Enqueue(ns.Metadata.Name),
            (_, ns) => _loop.Enqueue(ns.Metadata.Name)));
        _configMapRegistration = _configMaps.AddEventHandler(new ResourceEventHandler<V1ConfigMap>(
            onUpdate: (_, map) => OnConfigMapChanged(map),
            onDelete: (map, _) => OnConfigMapChanged(map)));
    }

    /// <summary>
    /// kube-controller-manager's "root-ca-cert-publisher" controller. It runs only when the manager knows the cluster CA
    /// (<see cref="ControllerManagerOptions.RootCaFile"/> or <see cref="ControllerManagerOptions.RootCaData"/>).
    /// </summary>
    public static ControllerDescriptor Descriptor { get; } = new("root-ca-cert-publisher", Create);

    public string Name => "root-ca-cert-publisher";

    /// <summary>One worker is plenty: a sync is one lister read and at most one write (upstream runs 1 by default too).</summary>
    public Task RunAsync(CancellationToken cancellationToken) => _loop.RunAsync(1, cancellationToken);

    public void Dispose()
    {
        _namespaceRegistration.Dispose();
        _configMapRegistration.Dispose();
    }

    private static RootCaCertPublisherController? Create(ControllerContext context)
    {
        var options = context.Options;
        string? rootCa = options.RootCaData;
        if (!string.IsNullOrEmpty(options.RootCaFile))
        {
            // Read when the term starts, not when flags are parsed: navarch server writes its CA only as the API server starts.
            try
            {
                rootCa = File.ReadAllText(options.RootCaFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogUnreadableRootCa(context.Loggers.CreateLogger<RootCaCertPublisherController>(), options.RootCaFile, e.Message);
                return null;
            }
        }

        return string.IsNullOrWhiteSpace(rootCa) ? null : new RootCaCertPublisherController(context, rootCa);
    }

    private void OnConfigMapChanged(V1ConfigMap map)
    {
        if (map.Metadata?.Name == ConfigMapName && map.Metadata.NamespaceProperty is { Length: > 0 } ns)
        {
            _loop.Enqueue(ns);
        }
    }

    /// <summary>Level-triggered: creates the ConfigMap, or puts its data and description back.</summary>
    private async Task SyncAsync(string name, CancellationToken cancellationToken)
    {
        var ns = _namespaces.Lister.Get(name);
        if (ns is null || ns.Metadata.DeletionTimestamp is not null || (ns.Status?.Phase ?? "Active") != "Active")
        {
            return;
        }

        var existing = _configMaps.Lister.Get(name, ConfigMapName);
        if (existing is null)
        {
            try
            {
                await _client.CoreV1.CreateNamespacedConfigMapAsync(
                    new V1ConfigMap
                    {
                        Metadata = new V1ObjectMeta
                        {
                            Name = ConfigMapName,
                            NamespaceProperty = name,
                            Annotations = new Dictionary<string, string> { [DescriptionAnnotation] = Description },
                        },
                        Data = new Dictionary<string, string> { [CaKey] = _rootCa },
                    },
                    name, cancellationToken: cancellationToken).ConfigureAwait(false);
                LogCreated(_logger, name);
            }
            catch (k8s.Autorest.HttpOperationException e) when (ApiErrorKinds.IsNotFound(e) || ApiErrorKinds.IsNamespaceTerminating(e))
            {
                // As upstream: a create into a namespace that is gone or terminating is not retried. A conflict (the cache
                // is behind) fails the sync, and the retry finds the ConfigMap in the cache and checks its data.
            }

            return;
        }

        if (IsCurrent(existing))
        {
            return;
        }

        // Only data and the description are ours; other annotations and labels a user added stay.
        var annotations = existing.Metadata.Annotations is null
            ? new Dictionary<string, string>()
            : new Dictionary<string, string>(existing.Metadata.Annotations);
        annotations[DescriptionAnnotation] = Description;
        var updated = new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta
            {
                Name = ConfigMapName,
                NamespaceProperty = name,
                ResourceVersion = existing.Metadata.ResourceVersion,
                Uid = existing.Metadata.Uid,
                Labels = existing.Metadata.Labels,
                Annotations = annotations,
                OwnerReferences = existing.Metadata.OwnerReferences,
                Finalizers = existing.Metadata.Finalizers,
            },
            Data = new Dictionary<string, string> { [CaKey] = _rootCa },
            BinaryData = existing.BinaryData,
            Immutable = existing.Immutable,
        };
        try
        {
            await _client.CoreV1.ReplaceNamespacedConfigMapAsync(updated, ConfigMapName, name, cancellationToken: cancellationToken).ConfigureAwait(false);
            LogRestored(_logger, name);
        }
        catch (k8s.Autorest.HttpOperationException e) when (ApiErrorKinds.IsNotFound(e))
        {
            // Deleted meanwhile: its delete event brings the namespace back to the queue, and that sync creates it.
        }
    }

    private bool IsCurrent(V1ConfigMap map) =>
        map.Data is { Count: 1 } data
        && data.TryGetValue(CaKey, out var ca) && ca == _rootCa
        && map.Metadata.Annotations?.TryGetValue(DescriptionAnnotation, out var description) == true
        && !string.IsNullOrEmpty(description);

    [LoggerMessage(Level = LogLevel.Information, Message = "created ConfigMap {Namespace}/kube-root-ca.crt")]
    private static partial void LogCreated(ILogger logger, string @namespace);

    [LoggerMessage(Level = LogLevel.Information, Message = "restored the data of ConfigMap {Namespace}/kube-root-ca.crt")]
    private static partial void LogRestored(ILogger logger, string @namespace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "root-ca-cert-publisher not started: cannot read root CA file {Path}: {Reason}")]
    private static partial void LogUnreadableRootCa(ILogger logger, string path, string reason);
}
