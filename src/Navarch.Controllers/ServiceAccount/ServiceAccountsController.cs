using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Navarch.Client.Informers;
using Navarch.Controllers.Framework;

namespace Navarch.Controllers.ServiceAccount;

/// <summary>
/// Kubernetes' service-account controller: every active namespace has a <c>default</c> ServiceAccount, made when
/// the namespace appears and made again when someone deletes it. Terminating namespaces are left alone.
/// </summary>
public sealed partial class ServiceAccountsController : IController
{
    /// <summary>The component name kube-controller-manager gives this controller.</summary>
    public const string Component = "service-account-controller";

    /// <summary>The service accounts every namespace gets (kube-controller-manager's serviceAccountsToEnsure).</summary>
    public static readonly IReadOnlyList<string> ServiceAccountsToEnsure = ["default"];

    private readonly IKubernetes _client;
    private readonly SharedIndexInformer<V1Namespace> _namespaces;
    private readonly SharedIndexInformer<V1ServiceAccount> _serviceAccounts;
    private readonly EventHandlerRegistration _namespaceRegistration;
    private readonly EventHandlerRegistration _serviceAccountRegistration;
    private readonly ReconcileLoop _loop;
    private readonly ILogger _logger;

    public ServiceAccountsController(ControllerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        _client = context.Client;
        _logger = context.Loggers.CreateLogger<ServiceAccountsController>();
        _loop = new ReconcileLoop(Name, SyncAsync, _logger, context.Time);
        _namespaces = context.Informers.For<V1Namespace>();
        _serviceAccounts = context.Informers.For<V1ServiceAccount>();
        _namespaceRegistration = _namespaces.AddEventHandler(new ResourceEventHandler<V1Namespace>(
            (ns, _) => _loop.Enqueue(ns.Metadata.Name),
            (_, ns) => _loop.Enqueue(ns.Metadata.Name)));
        _serviceAccountRegistration = _serviceAccounts.AddEventHandler(new ResourceEventHandler<V1ServiceAccount>(
            onDelete: (account, _) => OnServiceAccountDeleted(account)));
    }

    /// <summary>kube-controller-manager's "serviceaccount" controller.</summary>
    public static ControllerDescriptor Descriptor { get; } = new("serviceaccount", context => new ServiceAccountsController(context));

    public string Name => "serviceaccount";

    /// <summary>One worker, as kube-controller-manager runs this controller.</summary>
    public Task RunAsync(CancellationToken cancellationToken) => _loop.RunAsync(1, cancellationToken);

    public void Dispose()
    {
        _namespaceRegistration.Dispose();
        _serviceAccountRegistration.Dispose();
    }

    private void OnServiceAccountDeleted(V1ServiceAccount account)
    {
        if (account.Metadata?.NamespaceProperty is { Length: > 0 } ns && ServiceAccountsToEnsure.Contains(account.Metadata.Name))
        {
            _loop.Enqueue(ns);
        }
    }

    /// <summary>Level-triggered: creates whichever ensured service accounts the namespace lacks.</summary>
    private async Task SyncAsync(string name, CancellationToken cancellationToken)
    {
        var ns = _namespaces.Lister.Get(name);

        // As Kubernetes: nothing is created in a namespace that is not Active (being deleted).
        if (ns is null || ns.Metadata.DeletionTimestamp is not null || (ns.Status?.Phase ?? "Active") != "Active")
        {
            return;
        }

        foreach (var accountName in ServiceAccountsToEnsure)
        {
            if (_serviceAccounts.Lister.Get(name, accountName) is not null)
            {
                continue;
            }

            try
            {
                await _client.CoreV1.CreateNamespacedServiceAccountAsync(
                    new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = accountName, NamespaceProperty = name } },
                    name, cancellationToken: cancellationToken).ConfigureAwait(false);
                LogCreated(_logger, name, accountName);
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.Conflict
                or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
            {
                // Already there (the cache is behind), or the namespace began terminating or is gone: nothing to do,
                // as Kubernetes ignores AlreadyExists and NamespaceTerminating.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "created service account {Namespace}/{Name}")]
    private static partial void LogCreated(ILogger logger, string @namespace, string name);
}
