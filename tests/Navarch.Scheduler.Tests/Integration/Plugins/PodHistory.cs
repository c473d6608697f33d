using System.Collections.Concurrent;
using k8s;
using k8s.Models;

namespace Navarch.Scheduler.Tests.Integration.Plugins;

/// <summary>
/// Every version of the pods of one namespace, from a watch: for states that may last only a moment (a
/// nominatedNodeName before the bind), which polling could miss.
/// </summary>
internal sealed class PodHistory : IAsyncDisposable
{
    private readonly ConcurrentQueue<V1Pod> _seen = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public static async Task<PodHistory> StartAsync(IKubernetes admin, string ns)
    {
        var history = new PodHistory();
        var list = await admin.CoreV1.ListNamespacedPodAsync(ns);
        var token = history._stop.Token;
        history._loop = Task.Run(
            async () =>
            {
                await foreach (var (_, pod) in admin.CoreV1.WatchListNamespacedPodAsync(
                    ns, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: token))
                {
                    history._seen.Enqueue(pod);
                }
            },
            CancellationToken.None);
        return history;
    }

    /// <summary>The first version seen of <paramref name="name"/> for which <paramref name="predicate"/> holds.</summary>
    public V1Pod? Find(string name, Func<V1Pod, bool> predicate)
    {
        foreach (var pod in _seen)
        {
            if (pod.Metadata?.Name == name && predicate(pod)) return pod;
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        catch (HttpRequestException)
        {
            // The watch's connection ends with the cancellation; how it ends does not matter here.
        }
        catch (IOException)
        {
        }

        _stop.Dispose();
    }
}
