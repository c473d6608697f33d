using Microsoft.Extensions.Time.Testing;
using Navarch.Client.WorkQueue;

namespace Navarch.Client.Tests.WorkQueue;

public sealed class RateLimiterTests
{
    [Fact]
    public void ItemExponential_DoublesFromBaseAndForgetResets()
    {
        var limiter = new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000));

        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(10), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(20), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(40), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("b"));
        Assert.Equal(4, limiter.NumRequeues("a"));

        limiter.Forget("a");
        Assert.Equal(0, limiter.NumRequeues("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("a"));
    }

    [Fact]
    public void ItemExponential_CapsAtMaxDelay()
    {
        var limiter = new ItemExponentialFailureRateLimiter<string>(TimeSpan.FromMilliseconds(5), TimeSpan.FromSeconds(1000));
        for (var i = 0; i < 100; i++)
        {
            limiter.When("a");
        }

        Assert.Equal(TimeSpan.FromSeconds(1000), limiter.When("a"));
    }

    [Fact]
    public void Bucket_AllowsBurstThenSpacesAtQps()
    {
        var time = new FakeTimeProvider();
        var limiter = new BucketRateLimiter<string>(10, 100, time);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(TimeSpan.Zero, limiter.When("x" + i));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.When("over1"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), limiter.When("over2"));

        // Refilled tokens pay off the debt first.
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.Zero, limiter.When("later"));
    }

    [Fact]
    public void DefaultController_IsMaxOfBackOffAndBucket()
    {
        var time = new FakeTimeProvider();
        var limiter = RateLimiters.DefaultControllerRateLimiter<string>(time);

        Assert.Equal(TimeSpan.FromMilliseconds(5), limiter.When("a"));
        Assert.Equal(TimeSpan.FromMilliseconds(10), limiter.When("a"));
        for (var i = 0; i < 98; i++)
        {
            limiter.When("other" + i);
        }

        // The bucket is now empty: a fresh item waits for the bucket (100 ms), not its own 5 ms back-off.
        Assert.Equal(TimeSpan.FromMilliseconds(100), limiter.When("b"));
        Assert.Equal(2, limiter.NumRequeues("a"));
        limiter.Forget("a");
        Assert.Equal(0, limiter.NumRequeues("a"));
    }
}
