using k8s.Models;
using Navarch.Controllers.Namespace;

namespace Navarch.Controllers.Tests.Namespace;

public sealed class NamespaceConditionsTests
{
    private static readonly DateTime T0 = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Update_WithNoFailures_SetsAllFiveOkConditions()
    {
        var status = new V1NamespaceStatus();

        Assert.True(NamespaceConditions.Update(status, [], T0));

        Assert.Equal(5, status.Conditions.Count);
        Assert.All(status.Conditions, c => Assert.Equal("False", c.Status));
        Assert.Equal("ContentHasNoFinalizers", status.Conditions.Single(c => c.Type == NamespaceConditions.FinalizersRemaining).Reason);
    }

    [Fact]
    public void Update_MovesTransitionTimeOnlyWhenStatusFlips()
    {
        var status = new V1NamespaceStatus();
        NamespaceConditions.Update(status, [NamespaceConditions.Failing(NamespaceConditions.ContentRemaining, "SomeResourcesRemain", "a", T0)], T0);

        var changed = NamespaceConditions.Update(status,
            [NamespaceConditions.Failing(NamespaceConditions.ContentRemaining, "SomeResourcesRemain", "b", T0.AddMinutes(1))], T0.AddMinutes(1));
        var remaining = status.Conditions.Single(c => c.Type == NamespaceConditions.ContentRemaining);
        Assert.True(changed);
        Assert.Equal(("b", T0), (remaining.Message, remaining.LastTransitionTime));

        Assert.True(NamespaceConditions.Update(status, [], T0.AddMinutes(2)));
        Assert.Equal(("False", "ContentRemoved", T0.AddMinutes(2)), (remaining.Status, remaining.Reason, remaining.LastTransitionTime));
        Assert.False(NamespaceConditions.Update(status, [], T0.AddMinutes(3)));
    }
}
