using k8s;
using Microsoft.Extensions.Logging;

namespace Navarch.Client.LeaderElection;

/// <summary>
/// Runs <c>lead</c> whenever this instance holds the lease, campaigning again after each lost term, until
/// cancelled. kube-scheduler and kube-controller-manager exit when they lose their lease; components that share a
/// process with others campaign again instead, which keeps the guarantee of one leader at a time without taking
/// the whole server down.
/// </summary>
public static class Campaign
{
    public static async Task RunAsync(
        IKubernetes client,
        LeaderElectionConfig config,
        Func<CancellationToken, Task> lead,
        Action? onStoppedLeading,
        ILoggerFactory loggers,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var elector = new LeaderElector(client, config, loggers, time);
            await elector.RunAsync(lead, onStoppedLeading, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }
}
