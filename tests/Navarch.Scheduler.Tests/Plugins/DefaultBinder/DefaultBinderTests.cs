using k8s.Models;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Testing;
using Plugin = Navarch.Scheduler.Plugins.DefaultBinder.DefaultBinder;

namespace Navarch.Scheduler.Tests.Plugins.DefaultBinder;

public sealed class DefaultBinderTests
{
    [Fact]
    public async Task BindAsync_CallsClientBinding()
    {
        var handle = new PluginTestHandle();
        var plugin = (IBindPlugin)Plugin.New(null, handle);

        var status = await plugin.BindAsync(new CycleState(), PodBuilder.Pod("p", "ns"), "n1", CancellationToken.None);

        Assert.True(status.IsSuccess);
        Assert.Equal(("ns/p", "n1"), Assert.Single(handle.FakeClient.Bindings));
    }

    [Fact]
    public async Task BindAsync_WhenClientFails_ReturnsErrorStatus()
    {
        var handle = new PluginTestHandle { Client = new FailingClient() };
        var plugin = (IBindPlugin)Plugin.New(null, handle);

        var status = await plugin.BindAsync(new CycleState(), PodBuilder.Pod("p"), "n1", CancellationToken.None);

        Assert.Equal(StatusCode.Error, status.Code);
        Assert.Equal("pods \"p\" is being deleted", status.Message);
        Assert.IsType<InvalidOperationException>(status.Error);
    }

    private sealed class FailingClient : ISchedulerClient
    {
        public Task BindAsync(V1Pod pod, string nodeName, CancellationToken cancellationToken) =>
            Task.FromException(new InvalidOperationException($"pods \"{pod.Metadata.Name}\" is being deleted"));

        public Task DeleteVictimAsync(V1Pod victim, V1Pod preemptor, string nodeName, CancellationToken cancellationToken) =>
            Task.CompletedTask;

        public Task SetNominatedNodeNameAsync(V1Pod pod, string? nodeName, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task SetUnschedulableConditionAsync(V1Pod pod, string message, string? nominatedNodeName, CancellationToken cancellationToken) =>
            Task.CompletedTask;

        public IReadOnlyDictionary<string, string>? NamespaceLabels(string namespaceName) => null;

        public V1PriorityClass? GetPriorityClass(string name) => null;
    }
}
