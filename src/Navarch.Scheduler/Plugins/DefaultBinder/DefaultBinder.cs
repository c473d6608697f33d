using System.Text.Json;
using k8s.Models;
using Navarch.Scheduler.Framework;

namespace Navarch.Scheduler.Plugins.DefaultBinder;

/// <summary>Binds the pod with a pods/binding call, as kube-scheduler's DefaultBinder.</summary>
public sealed class DefaultBinder : IBindPlugin
{
    public const string PluginName = "DefaultBinder";

    private readonly ISchedulerClient _client;

    private DefaultBinder(ISchedulerClient client) => _client = client;

    public string Name => PluginName;

    public static IPlugin New(JsonElement? args, IFrameworkHandle handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return new DefaultBinder(handle.Client);
    }

    /// <summary>Success once the API server accepted the binding; an Error status carrying the failure otherwise.</summary>
    public async Task<Status> BindAsync(CycleState state, V1Pod pod, string nodeName, CancellationToken cancellationToken)
    {
        try
        {
            await _client.BindAsync(pod, nodeName, cancellationToken).ConfigureAwait(false);
            return Status.Success;
        }
        catch (Exception e)
        {
            // The binding cycle turns an Error into a retry with back-off and forgets the assumed pod.
            return Status.AsError(e);
        }
    }
}
