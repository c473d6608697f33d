using k8s.Models;
using Navarch.Api.Scheduling;
using static Navarch.Api.Tests.Scheduling.NodeAffinityTestData;

namespace Navarch.Api.Tests.Scheduling;

public sealed class PreferredSchedulingTermsTests
{
    [Fact]
    public void Score_SumsWeightsOfMatchingTerms()
    {
        var terms = PreferredSchedulingTerms.Parse(
        [
            new V1PreferredSchedulingTerm { Weight = 5, Preference = Term(Req("zone", "In", "a")) },
            new V1PreferredSchedulingTerm { Weight = 3, Preference = Term(Req("disk", "Exists")) },
            new V1PreferredSchedulingTerm { Weight = 7, Preference = Term(Req("gpu", "Exists")) },
            new V1PreferredSchedulingTerm { Weight = 0, Preference = Term(Req("zone", "Exists")) },
            new V1PreferredSchedulingTerm { Weight = 11, Preference = new V1NodeSelectorTerm() },
        ]);

        Assert.Equal(8, terms.Score(Node("n", "zone", "a", "disk", "ssd")));
        Assert.Equal(0, terms.Score(Node("m")));
    }

    [Fact]
    public void Parse_BadTerm_ThrowsWithPath()
    {
        var e = Assert.Throws<ArgumentException>(() => PreferredSchedulingTerms.Parse(
            [new V1PreferredSchedulingTerm { Weight = 1, Preference = Term(Req("zone", "Near", "a")) }]));

        Assert.StartsWith("preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].operator: Unsupported value: \"Near\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Null_ScoresZero()
    {
        Assert.Equal(0, PreferredSchedulingTerms.Parse(null).Score(Node("n", "zone", "a")));
    }
}
