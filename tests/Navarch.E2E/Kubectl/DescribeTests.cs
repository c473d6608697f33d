using Navarch.E2E.Infrastructure;

namespace Navarch.E2E.Kubectl;

/// <summary><c>kubectl describe</c> reads the object (and its events) and prints kubectl's sections.</summary>
[Collection(NavarchCollection.Name)]
public sealed class DescribeTests(ServerFixture server) : IAsyncLifetime
{
    private const string Ns = "e2e-describe";

    public Task InitializeAsync() => server.EnsureNamespaceAsync(Ns);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task DescribePod_PrintsNameNamespaceLabelsAndContainers()
    {
        server.Expect.Success(await server.Kubectl.RunWithInputAsync($"""
            apiVersion: v1
            kind: Pod
            metadata:
              name: described
              namespace: {Ns}
              labels:
                app: described
                tier: front
            spec:
              # No scheduler serves this name, so the pod stays unscheduled and without events (the embedded
              # scheduler would otherwise record FailedScheduling at a time this test cannot control).
              schedulerName: e2e-unserved-scheduler
              containers:
              - name: main
                image: nginx:1.25
            """, "create", "-f", "-"));

        var result = server.Expect.Success(await server.Kubectl.RunAsync("describe", "pod", "described", "-n", Ns));
        server.Expect.StdoutMatches(result, @"^Name:\s+described$");
        server.Expect.StdoutMatches(result, $@"^Namespace:\s+{Ns}$");
        server.Expect.StdoutMatches(result, @"^Labels:\s+app=described\n\s+tier=front$");
        server.Expect.StdoutMatches(result, @"^Status:\s+Pending$");
        server.Expect.StdoutMatches(result, @"^Node:\s+<none>$");
        server.Expect.StdoutMatches(result, @"^Containers:\n  main:\n    Image:\s+nginx:1.25$");
        server.Expect.StdoutMatches(result, @"^Events:\s+<none>$");
    }

    [Fact]
    public async Task DescribeDeployment_PrintsSelectorReplicasAndTemplate()
    {
        server.Expect.Success(await server.Kubectl.RunWithInputAsync($"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: described
              namespace: {Ns}
              labels:
                app: described
            spec:
              replicas: 2
              selector:
                matchLabels:
                  app: described
              template:
                metadata:
                  labels:
                    app: described
                spec:
                  containers:
                  - name: main
                    image: nginx:1.25
            """, "create", "-f", "-"));

        // The deployment controller creates the ReplicaSet (no kubelet runs, so no pod becomes available).
        var stop = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        var result = server.Expect.Success(await server.Kubectl.RunAsync("describe", "deployment", "described", "-n", Ns));
        while (!result.Stdout.Contains("2 desired | 2 updated", StringComparison.Ordinal) && DateTime.UtcNow < stop)
        {
            await Task.Delay(200);
            result = server.Expect.Success(await server.Kubectl.RunAsync("describe", "deployment", "described", "-n", Ns));
        }

        server.Expect.StdoutMatches(result, @"^Name:\s+described$");
        server.Expect.StdoutMatches(result, $@"^Namespace:\s+{Ns}$");
        server.Expect.StdoutMatches(result, @"^Labels:\s+app=described$");
        server.Expect.StdoutMatches(result, @"^Selector:\s+app=described$");
        server.Expect.StdoutMatches(result, @"^Replicas:\s+2 desired \| 2 updated \| 2 total \| 0 available \| 2 unavailable$");
        server.Expect.StdoutMatches(result, @"^NewReplicaSet:\s+described-[a-z0-9]+ \(2/2 replicas created\)$");
        server.Expect.StdoutMatches(result, @"^StrategyType:\s+RollingUpdate$");
        server.Expect.StdoutMatches(result, @"^Pod Template:\n  Labels:\s+app=described\n  Containers:\n   main:\n    Image:\s+nginx:1.25$");
    }
}
