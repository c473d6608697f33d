using k8s.Models;
using Navarch.Api.Scheduling;

namespace Navarch.Api.Tests.Scheduling;

public sealed class TolerationsTests
{
    private static V1Taint Taint(string key, string? value, string effect) => new() { Key = key, Value = value, Effect = effect };

    private static V1Toleration Toleration(string? key, string? op, string? value = null, string? effect = null) =>
        new() { Key = key, OperatorProperty = op, Value = value, Effect = effect };

    public static TheoryData<string, V1Toleration, bool> Cases => new()
    {
        { "Equal with the same key, value and effect", Toleration("k", "Equal", "v", "NoSchedule"), true },
        { "no operator means Equal", Toleration("k", null, "v", "NoSchedule"), true },
        { "Equal with another value", Toleration("k", "Equal", "w", "NoSchedule"), false },
        { "Exists ignores the value", Toleration("k", "Exists", null, "NoSchedule"), true },
        { "another key", Toleration("other", "Exists"), false },
        { "an empty effect matches every effect", Toleration("k", "Exists"), true },
        { "another effect", Toleration("k", "Exists", null, "NoExecute"), false },
        { "an empty key with Exists tolerates everything", Toleration(null, "Exists"), true },
        { "an empty key with Equal compares the value", Toleration(null, "Equal", "v"), true },
        { "an unknown operator tolerates nothing", Toleration("k", "Gt", "v"), false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Tolerates_FollowsToleratesTaint(string name, V1Toleration toleration, bool tolerates)
    {
        var taint = Taint("k", "v", "NoSchedule");

        Assert.True(tolerates == Tolerations.Tolerates(toleration, taint), name);
        Assert.True(tolerates == Tolerations.Tolerates(toleration, taint.Key, taint.Value, taint.Effect), name);
    }

    [Fact]
    public void Tolerates_NullTaintValue_EqualsEmptyValue()
    {
        Assert.True(Tolerations.Tolerates(Toleration("k", "Equal", ""), Taint("k", null, "NoSchedule")));
        Assert.True(Tolerations.Tolerates(Toleration("k", "Equal"), "k", null, "NoSchedule"));
    }

    [Fact]
    public void TolerationsTolerateTaint_AnyTolerationSuffices()
    {
        var taint = Taint("k", "v", "NoExecute");

        Assert.True(Tolerations.TolerationsTolerateTaint([Toleration("x", "Exists"), Toleration("k", "Exists")], taint));
        Assert.False(Tolerations.TolerationsTolerateTaint([Toleration("x", "Exists")], taint));
        Assert.False(Tolerations.TolerationsTolerateTaint(null, taint));
        Assert.False(Tolerations.TolerationsTolerateTaint([], "k", "v", "NoExecute"));
    }

    [Fact]
    public void FindUntolerated_ReturnsFirstUntoleratedTaintOfTheFilteredEffects()
    {
        V1Taint[] taints =
        [
            Taint("soft", null, "PreferNoSchedule"),
            Taint("tolerated", null, "NoSchedule"),
            Taint("hard", "1", "NoSchedule"),
            Taint("evict", null, "NoExecute"),
        ];
        V1Toleration[] tolerations = [Toleration("tolerated", "Exists")];

        Assert.Equal("hard", Tolerations.FindUntolerated(taints, tolerations, TaintEffectFilter.DoNotSchedule)?.Key);
        Assert.Equal("evict", Tolerations.FindUntolerated(taints, tolerations, TaintEffectFilter.NoExecute)?.Key);
        Assert.Equal("soft", Tolerations.FindUntolerated(taints, tolerations, TaintEffectFilter.PreferNoSchedule)?.Key);
        Assert.Null(Tolerations.FindUntolerated(taints, [Toleration(null, "Exists")], TaintEffectFilter.DoNotSchedule));
        Assert.Null(Tolerations.FindUntolerated(taints, tolerations, TaintEffectFilter.None));
        Assert.Null(Tolerations.FindUntolerated(null, tolerations, TaintEffectFilter.DoNotSchedule));
    }

    [Fact]
    public void CountUntolerated_CountsOnlyFilteredUntoleratedTaints()
    {
        V1Taint[] taints = [Taint("a", null, "PreferNoSchedule"), Taint("b", null, "PreferNoSchedule"), Taint("c", null, "NoSchedule")];

        Assert.Equal(2, Tolerations.CountUntolerated(taints, null, TaintEffectFilter.PreferNoSchedule));
        Assert.Equal(1, Tolerations.CountUntolerated(taints, [Toleration("a", "Exists", null, "PreferNoSchedule")], TaintEffectFilter.PreferNoSchedule));
        Assert.Equal(3, Tolerations.CountUntolerated(taints, [], TaintEffectFilter.PreferNoSchedule | TaintEffectFilter.NoSchedule));
    }

    [Fact]
    public void TryGetMatchingTolerations_ReturnsFirstTolerationPerTaint()
    {
        V1Taint[] taints = [Taint("x", null, "NoExecute"), Taint("y", null, "NoExecute")];
        var forX = Toleration("x", "Exists", null, "NoExecute");
        var any = Toleration(null, "Exists");

        Assert.True(Tolerations.TryGetMatchingTolerations(taints, [forX, any], out var used));
        Assert.Equal([forX, any], used);
        Assert.False(Tolerations.TryGetMatchingTolerations(taints, [forX], out _));
        Assert.True(Tolerations.TryGetMatchingTolerations([], null, out var none));
        Assert.Empty(none);
    }
}
