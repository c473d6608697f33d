using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Navarch.Client.LeaderElection;

namespace Navarch.Client.Tests.LeaderElection;

public sealed class LeaderElectorTests(ElectionServerFixture server) : IClassFixture<ElectionServerFixture>
{
    private const string Namespace = "default";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public void Config_RenewDeadlineNotAboveJitteredRetry_IsRejected()
    {
        var config = Config("x", "a") with { RenewDeadline = TimeSpan.FromSeconds(1), RetryPeriod = TimeSpan.FromSeconds(1) };

        var error = Assert.Throws<ArgumentException>(config.Validate);
        Assert.Equal("renewDeadline must be greater than retryPeriod*JitterFactor", error.Message);
        Assert.Equal(
            "leaseDuration must be greater than renewDeadline",
            Assert.Throws<ArgumentException>((Config("x", "a") with { LeaseDuration = TimeSpan.FromSeconds(1.5) }).Validate).Message);
        Assert.Equal("Lock identity is empty", Assert.Throws<ArgumentException>((Config("x", "") with { }).Validate).Message);
    }

    [Fact]
    public async Task RunAsync_TwoCandidates_ExactlyOneLeads()
    {
        var lease = NewLeaseName();
        await using var a = new Candidate(server.CreateClient(), Config(lease, "a"));
        await using var b = new Candidate(server.CreateClient(), Config(lease, "b"));

        var leader = await Task.WhenAny(a.Started.Task, b.Started.Task).WaitAsync(Deadline);
        var (winner, loser) = leader == a.Started.Task ? (a, b) : (b, a);

        await WaitUntilAsync(() => loser.Elector.CurrentLeader == winner.Identity);

        // Give the loser several retry periods to (wrongly) take over.
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.True(winner.Elector.IsLeader);
        Assert.False(loser.Elector.IsLeader);
        Assert.False(loser.Started.Task.IsCompleted);
        Assert.Equal(winner.Identity, loser.Elector.CurrentLeader);
        lock (loser.NewLeaders)
        {
            Assert.Equal([winner.Identity], loser.NewLeaders);
        }

        var stored = await ReadLeaseAsync(lease);
        Assert.Equal(winner.Identity, stored.Spec.HolderIdentity);
        Assert.Equal(2, stored.Spec.LeaseDurationSeconds);
        Assert.NotNull(stored.Spec.AcquireTime);
        Assert.NotNull(stored.Spec.RenewTime);
    }

    [Fact]
    public async Task RunAsync_LeaderCancelledWithRelease_PeerTakesOverAtOnce()
    {
        var lease = NewLeaseName();
        // A lease far longer than a retry, so that b getting in long before it could expire shows the release let it in,
        // with room for a loaded machine.
        var longLease = TimeSpan.FromSeconds(15);
        await using var a = new Candidate(server.CreateClient(), Config(lease, "a") with { LeaseDuration = longLease });
        await a.Started.Task.WaitAsync(Deadline);
        await using var b = new Candidate(server.CreateClient(), Config(lease, "b") with { LeaseDuration = longLease });
        await WaitUntilAsync(() => b.Elector.CurrentLeader == "a");
        var before = await ReadLeaseAsync(lease);

        await a.StopAsync();
        Assert.True(a.LeadingTokenCancelled);
        Assert.True(a.StoppedLeading);
        Assert.False(a.Elector.IsLeader);

        var started = System.Diagnostics.Stopwatch.StartNew();
        await b.Started.Task.WaitAsync(TimeSpan.FromSeconds(6));
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(6));
        var after = await ReadLeaseAsync(lease);
        Assert.Equal("b", after.Spec.HolderIdentity);
        Assert.Equal(before.Spec.LeaseTransitions + 1, after.Spec.LeaseTransitions);
    }

    [Fact]
    public async Task RunAsync_LeaderStopsRenewingWithoutRelease_PeerTakesOverAfterLeaseDuration()
    {
        var lease = NewLeaseName();
        await using var a = new Candidate(server.CreateClient(), Config(lease, "a") with { ReleaseOnCancel = false });
        await a.Started.Task.WaitAsync(Deadline);
        await using var b = new Candidate(server.CreateClient(), Config(lease, "b"));
        await WaitUntilAsync(() => b.Elector.CurrentLeader == "a");
        var before = await ReadLeaseAsync(lease);

        // A crash: a stops renewing and leaves the lease held.
        await a.StopAsync();
        var stopped = System.Diagnostics.Stopwatch.StartNew();
        Assert.Equal("a", (await ReadLeaseAsync(lease)).Spec.HolderIdentity);

        await b.Started.Task.WaitAsync(Deadline);
        // b last saw the record change at a's final renewal, at most one retry period before the crash.
        Assert.True(stopped.Elapsed >= TimeSpan.FromSeconds(2) - TimeSpan.FromSeconds(0.4), $"took over after {stopped.Elapsed}");
        var after = await ReadLeaseAsync(lease);
        Assert.Equal("b", after.Spec.HolderIdentity);
        Assert.Equal(before.Spec.LeaseTransitions + 1, after.Spec.LeaseTransitions);
        Assert.True(after.Spec.AcquireTime > before.Spec.AcquireTime);
    }

    [Fact]
    public async Task RunAsync_LeaseTakenByAnother_LeaderStopsLeading()
    {
        var lease = NewLeaseName();
        await using var a = new Candidate(server.CreateClient(), Config(lease, "a"));
        await a.Started.Task.WaitAsync(Deadline);

        // Someone else overwrites the lease (as a peer that judged it expired would).
        // Retried on conflict: a's renewals race with the write.
        var client = server.CreateClient();
        await WaitUntilAsync(async () =>
        {
            var current = await ReadLeaseAsync(lease);
            current.Spec.HolderIdentity = "intruder";
            current.Spec.RenewTime = DateTime.UtcNow;
            try
            {
                await client.CoordinationV1.ReplaceNamespacedLeaseAsync(current, lease, Namespace);
                return true;
            }
            catch (k8s.Autorest.HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.Conflict)
            {
                return false;
            }
        });

        await a.Run.WaitAsync(Deadline);
        Assert.True(a.LeadingTokenCancelled);
        Assert.True(a.StoppedLeading);
        Assert.False(a.Elector.IsLeader);
        Assert.Equal("intruder", (await ReadLeaseAsync(lease)).Spec.HolderIdentity);
    }

    private static LeaderElectionConfig Config(string lease, string identity) => new()
    {
        LeaseNamespace = Namespace,
        LeaseName = lease,
        Identity = identity,
        LeaseDuration = TimeSpan.FromSeconds(2),
        RenewDeadline = TimeSpan.FromSeconds(1.5),
        RetryPeriod = TimeSpan.FromSeconds(0.3),
    };

    private static string NewLeaseName() => "election-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<V1Lease> ReadLeaseAsync(string name)
    {
        using var cts = new CancellationTokenSource(Deadline);
        return await server.CreateClient().CoordinationV1.ReadNamespacedLeaseAsync(name, Namespace, cancellationToken: cts.Token);
    }

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met before the deadline");
            await Task.Delay(20);
        }
    }

    /// <summary>One candidate process: an elector running until stopped, recording its callbacks.</summary>
    private sealed class Candidate : IAsyncDisposable
    {
        private readonly CancellationTokenSource _cts = new();

        public Candidate(IKubernetes client, LeaderElectionConfig config)
        {
            Identity = config.Identity;
            Elector = new LeaderElector(client, config, NullLoggerFactory.Instance, TimeProvider.System);
            Run = Elector.RunAsync(
                async token =>
                {
                    Started.TrySetResult();
                    try
                    {
                        await Task.Delay(Timeout.Infinite, token);
                    }
                    finally
                    {
                        LeadingTokenCancelled = token.IsCancellationRequested;
                    }
                },
                () => StoppedLeading = true,
                leader =>
                {
                    lock (NewLeaders)
                    {
                        NewLeaders.Add(leader);
                    }
                },
                _cts.Token);
        }

        public string Identity { get; }

        public LeaderElector Elector { get; }

        public Task Run { get; }

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<string> NewLeaders { get; } = [];

        public bool LeadingTokenCancelled { get; private set; }

        public bool StoppedLeading { get; private set; }

        public async Task StopAsync()
        {
            await _cts.CancelAsync();
            await Run.WaitAsync(Deadline);
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _cts.Dispose();
        }
    }
}
