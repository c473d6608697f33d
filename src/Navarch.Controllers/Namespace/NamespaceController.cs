using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Informers;
using Navarch.Controllers.Framework;
using Navarch.Controllers.GarbageCollector;

namespace Navarch.Controllers.Namespace;

/// <summary>
/// Kubernetes' namespace controller: a namespace being deleted (phase Terminating) is emptied of every namespaced
/// object, its conditions report what still remains, and once nothing does its <c>kubernetes</c> finalizer is
/// removed through <c>namespaces/{name}/finalize</c>, after which the API server removes the namespace.
/// </summary>
public sealed partial class NamespaceController : IController
{
    /// <summary>The spec.finalizers entry the API server puts on every namespace and this controller removes.</summary>
    public const string KubernetesFinalizer = "kubernetes";

    /// <summary>The event source name of Kubernetes' namespace controller.</summary>
    public const string Component = "namespace-controller";

    private readonly IKubernetes _client;
    private readonly SharedIndexInformer<V1Namespace> _namespaces;
    private readonly EventHandlerRegistration _registration;
    private readonly NamespacedContentDeleter _deleter;
    private readonly NamespaceControllerOptions _options;
    private readonly ReconcileLoop _loop;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly int _workers;

    public NamespaceController(ControllerContext context)
        : this(context, new NamespaceControllerOptions())
    {
    }

    internal NamespaceController(ControllerContext context, NamespaceControllerOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        _client = context.Client;
        _options = options;
        _time = context.Time;
        _workers = Math.Max(1, context.Options.Workers);
        _logger = context.Loggers.CreateLogger<NamespaceController>();
        _deleter = new NamespacedContentDeleter(new ResourceApi(context.Client), context.Time);
        _loop = new ReconcileLoop(Name, SyncAsync, _logger, context.Time);
        _namespaces = context.Informers.For<V1Namespace>();
        _registration = _namespaces.AddEventHandler(new ResourceEventHandler<V1Namespace>(
            (ns, _) => EnqueueIfDeleting(ns),
            (_, ns) => EnqueueIfDeleting(ns)));
    }

    /// <summary>kube-controller-manager's "namespace" controller.</summary>
    public static ControllerDescriptor Descriptor { get; } = new("namespace", context => new NamespaceController(context));

    /// <summary>The descriptor with other internal timings (tests).</summary>
    internal static ControllerDescriptor DescriptorWith(NamespaceControllerOptions options) =>
        new("namespace", context => new NamespaceController(context, options));

    public string Name => "namespace";

    public Task RunAsync(CancellationToken cancellationToken) => _loop.RunAsync(_workers, cancellationToken);

    public void Dispose() => _registration.Dispose();

    private void EnqueueIfDeleting(V1Namespace ns)
    {
        if (ns.Metadata.DeletionTimestamp is null) return;
        if (_options.DeletionDelay <= TimeSpan.Zero) _loop.Enqueue(ns.Metadata.Name);
        else _loop.EnqueueAfter(ns.Metadata.Name, _options.DeletionDelay);
    }

    private async Task SyncAsync(string name, CancellationToken cancellationToken)
    {
        var cached = _namespaces.Lister.Get(name);
        if (cached?.Metadata.DeletionTimestamp is null) return;

        // Decide on the namespace as it is now, not as the cache last saw it.
        V1Namespace ns;
        try
        {
            ns = await _client.CoreV1.ReadNamespaceAsync(name, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return;
        }

        if (ns.Metadata.DeletionTimestamp is null || ns.Spec?.Finalizers?.Contains(KubernetesFinalizer) != true) return;

        var result = await _deleter.DeleteAllContentAsync(name, cancellationToken).ConfigureAwait(false);
        ns = await UpdateConditionsAsync(ns, result, cancellationToken).ConfigureAwait(false);
        if (result.Errors.Count > 0)
        {
            throw new InvalidOperationException($"namespace {name}: {string.Join("; ", result.Errors)}");
        }

        if (result.ContentRemains)
        {
            // As Kubernetes: look again after half the time the remaining pods may take, at least a second on.
            var delay = TimeSpan.FromSeconds(Math.Max(0, result.EstimateSeconds) / 2 + 1);
            LogContentRemains(_logger, name, delay);
            _loop.EnqueueAfter(name, delay);
            return;
        }

        var finalizers = ns.Spec.Finalizers.Where(f => f != KubernetesFinalizer).ToList();
        ns.Spec.Finalizers = finalizers;
        try
        {
            await _client.CoreV1.ReplaceNamespaceFinalizeAsync(ns, name, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return;
        }

        LogFinalized(_logger, name);
    }

    private async Task<V1Namespace> UpdateConditionsAsync(V1Namespace ns, ContentDeletionResult result, CancellationToken cancellationToken)
    {
        ns.Status ??= new V1NamespaceStatus();
        var changed = NamespaceConditions.Update(ns.Status, result.Conditions, _time.GetUtcNow().UtcDateTime);
        if (ns.Status.Phase != "Terminating")
        {
            ns.Status.Phase = "Terminating";
            changed = true;
        }

        if (!changed) return ns;
        return await _client.CoreV1.ReplaceNamespaceStatusAsync(ns, ns.Metadata.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Namespace {Namespace} still has content; checking again in {Delay}")]
    private static partial void LogContentRemains(ILogger logger, string @namespace, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Namespace {Namespace} is empty; removed its kubernetes finalizer")]
    private static partial void LogFinalized(ILogger logger, string @namespace);
}
