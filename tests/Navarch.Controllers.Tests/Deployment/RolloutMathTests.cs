using k8s.Models;
using Navarch.Controllers.Deployment;

namespace Navarch.Controllers.Tests.Deployment;

public sealed class RolloutMathTests
{
    private static V1Deployment Rolling(int replicas, string maxSurge, string maxUnavailable) => new()
    {
        Metadata = new V1ObjectMeta { Name = "web" },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Strategy = new V1DeploymentStrategy
            {
                Type = "RollingUpdate",
                RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = maxSurge, MaxUnavailable = maxUnavailable },
            },
        },
    };

    private static V1ReplicaSet Set(string name, int replicas, int minutesOld, int? maxReplicas = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            CreationTimestamp = new DateTime(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc).AddMinutes(-minutesOld),
            Annotations = maxReplicas is { } max ? new Dictionary<string, string> { [DeploymentAnnotations.MaxReplicasKey] = max.ToString(System.Globalization.CultureInfo.InvariantCulture) } : null,
        },
        Spec = new V1ReplicaSetSpec { Replicas = replicas },
    };

    [Theory]
    [InlineData("25%", "25%", 10, 3, 2)] // surge rounds 2.5 up, unavailable rounds 2.5 down
    [InlineData("25%", "25%", 1, 1, 0)]
    [InlineData("2", "1", 10, 2, 1)]
    [InlineData("0", "10%", 3, 0, 1)] // both resolve to zero: one may be unavailable
    [InlineData("50%", "0", 5, 3, 0)]
    public void ResolveFenceposts_RoundsSurgeUpAndUnavailableDown(string surge, string unavailable, int desired, int expectedSurge, int expectedUnavailable)
    {
        var (s, u) = RolloutMath.ResolveFenceposts(surge, unavailable, desired);

        Assert.Equal((expectedSurge, expectedUnavailable), (s, u));
    }

    [Fact]
    public void ScaledValue_StringWithoutPercent_Throws()
    {
        var error = Assert.Throws<FormatException>(() => RolloutMath.ScaledValue("abc", 10, true));
        Assert.Contains("string is not a percentage", error.Message);
    }

    [Fact]
    public void MaxUnavailable_IsCappedAtReplicasAndZeroForRecreate()
    {
        Assert.Equal(3, RolloutMath.MaxUnavailable(Rolling(3, "0", "5")));
        var recreate = Rolling(3, "1", "1");
        recreate.Spec.Strategy = new V1DeploymentStrategy { Type = "Recreate" };
        Assert.Equal(0, RolloutMath.MaxUnavailable(recreate));
        Assert.Equal(0, RolloutMath.MaxSurge(recreate));
    }

    [Fact]
    public void NewReplicaSetReplicas_GrowsByTheSurgeRoom()
    {
        var d = Rolling(10, "3", "2");
        var old = Set("old", 10, 10);
        var fresh = Set("new", 0, 0);

        Assert.Equal(3, RolloutMath.NewReplicaSetReplicas(d, [old, fresh], fresh));
        // Once the surge is used up it stays where it is.
        var grown = Set("new", 3, 0);
        Assert.Equal(3, RolloutMath.NewReplicaSetReplicas(d, [old, grown], grown));
        // It never exceeds the desired count.
        var almost = Set("new", 9, 0);
        Assert.Equal(10, RolloutMath.NewReplicaSetReplicas(d, [Set("old", 0, 10), almost], almost));
    }

    [Fact]
    public void Proportional_ScaleUpMidRollout_SpreadsBySize()
    {
        // A rollout of 10 (surge 3) with 8 old and 5 new is scaled to 20 (surge 5): 12 more spread 7 and 5.
        var d = Rolling(20, "25%", "25%");
        var old = Set("old", 8, 10, maxReplicas: 13);
        var fresh = Set("new", 5, 0, maxReplicas: 13);

        var (sizes, order, operation) = RolloutMath.Proportional(d, [fresh, old]);

        Assert.Equal("up", operation);
        Assert.Equal(["old", "new"], order.Select(rs => rs.Metadata.Name));
        Assert.Equal(15, sizes["old"]);
        Assert.Equal(10, sizes["new"]);
    }

    [Fact]
    public void Proportional_ScaleDownMidRollout_SpreadsBySize()
    {
        // The same rollout scaled to 5 (surge 2): 13 becomes 7.
        var d = Rolling(5, "25%", "25%");
        var old = Set("old", 8, 10, maxReplicas: 13);
        var fresh = Set("new", 5, 0, maxReplicas: 13);

        var (sizes, _, operation) = RolloutMath.Proportional(d, [fresh, old]);

        Assert.Equal("down", operation);
        Assert.Equal(4, sizes["old"]);
        Assert.Equal(3, sizes["new"]);
    }

    [Fact]
    public void Proportional_LeftoverGoesToTheLargest()
    {
        // Three equal sets of 1 (max 3) scaled to 4 with no surge: fractions round 1.33 to 1, so 1 is left over.
        var d = Rolling(4, "0", "1");
        var a = Set("a", 1, 30, maxReplicas: 3);
        var b = Set("b", 1, 20, maxReplicas: 3);
        var c = Set("c", 1, 10, maxReplicas: 3);

        var (sizes, order, _) = RolloutMath.Proportional(d, [a, b, c]);

        // Adding goes to the newest of equals first.
        Assert.Equal("c", order[0].Metadata.Name);
        Assert.Equal(4, sizes.Values.Sum());
        Assert.Equal(2, sizes["c"]);
    }

    [Fact]
    public void Proportional_ToZero_EmptiesEverySet()
    {
        var d = Rolling(0, "25%", "25%");
        var (sizes, _, operation) = RolloutMath.Proportional(d, [Set("old", 8, 10, 13), Set("new", 5, 0, 13)]);

        Assert.Equal("down", operation);
        Assert.All(sizes.Values, size => Assert.Equal(0, size));
    }
}
