using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Navarch.Kubelet.Node;

/// <summary>
/// Keeps the node's heartbeat Lease <c>kube-node-lease/&lt;node&gt;</c> fresh, as the kubelet's node lease controller
/// does: held by the node, <see cref="NodeOptions.LeaseDurationSeconds"/> long, renewed every
/// <see cref="NodeOptions.LeaseRenewInterval"/>, owned by the Node so it goes when the Node is deleted.
/// </summary>
public sealed class NodeLeaseRenewer
{
    public const string LeaseNamespace = "kube-node-lease";

    private readonly IKubernetes _client;
    private readonly NodeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public NodeLeaseRenewer(IKubernetes client, NodeOptions options, TimeProvider time, ILogger<NodeLeaseRenewer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        _client = client;
        _options = options;
        _time = time;
        _logger = logger ?? NullLogger<NodeLeaseRenewer>.Instance;
    }

    /// <summary>Renews now and then every <see cref="NodeOptions.LeaseRenewInterval"/> until cancelled; failures are retried sooner.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var wait = _options.LeaseRenewInterval;
            try
            {
                await RenewAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException)
            {
                NodeLog.LeaseRenewFailed(_logger, _options.NodeName, e);
                wait = _options.RetryInterval < wait ? _options.RetryInterval : wait;
            }

            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates the Lease or moves its renew time to now; adds the owner reference once the Node exists.</summary>
    public async Task<V1Lease> RenewAsync(CancellationToken cancellationToken)
    {
        var owner = await OwnerAsync(cancellationToken).ConfigureAwait(false);
        V1Lease? lease;
        try
        {
            lease = await _client.CoordinationV1.ReadNamespacedLeaseAsync(_options.NodeName, LeaseNamespace, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            lease = null;
        }

        if (lease is null)
        {
            lease = new V1Lease
            {
                ApiVersion = "coordination.k8s.io/v1",
                Kind = "Lease",
                Metadata = new V1ObjectMeta
                {
                    Name = _options.NodeName,
                    NamespaceProperty = LeaseNamespace,
                    OwnerReferences = owner is null ? null : [owner],
                },
                Spec = Spec(),
            };
            return await _client.CoordinationV1.CreateNamespacedLeaseAsync(lease, LeaseNamespace, cancellationToken: cancellationToken)
                .ConfigureAwait(false);
        }

        lease.Spec = Spec();
        if (owner is not null && lease.Metadata.OwnerReferences?.Any(o => o.Uid == owner.Uid) != true)
        {
            // Created before the Node existed (or for an earlier Node of the same name): point it at this one.
            lease.Metadata.OwnerReferences = [owner];
        }

        return await _client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, _options.NodeName, LeaseNamespace, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
    }

    private V1LeaseSpec Spec() => new()
    {
        HolderIdentity = _options.NodeName,
        LeaseDurationSeconds = _options.LeaseDurationSeconds,
        RenewTime = _time.GetUtcNow().UtcDateTime,
    };

    private async Task<V1OwnerReference?> OwnerAsync(CancellationToken cancellationToken)
    {
        try
        {
            var node = await _client.CoreV1.ReadNodeAsync(_options.NodeName, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new V1OwnerReference
            {
                ApiVersion = "v1",
                Kind = "Node",
                Name = node.Metadata.Name,
                Uid = node.Metadata.Uid,
            };
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // The lease may start before registration finishes; it gets its owner on a later renewal.
            return null;
        }
    }
}
