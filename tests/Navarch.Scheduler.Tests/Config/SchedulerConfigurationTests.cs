using Navarch.Scheduler.Config;
using Navarch.Scheduler.Framework;
using Navarch.Scheduler.Tests.Core;

namespace Navarch.Scheduler.Tests.Config;

public sealed class SchedulerConfigurationTests
{
    private static Dictionary<string, PluginFactory> DefaultNames()
    {
        var registry = new Dictionary<string, PluginFactory>();
        foreach (var plugin in DefaultPlugins.MultiPoint) registry[plugin.Name] = (_, _) => throw new InvalidOperationException();
        return registry;
    }

    [Fact]
    public void Parse_Yaml_ReadsFieldsAndDefaults()
    {
        const string yaml = """
            apiVersion: kubescheduler.config.k8s.io/v1
            kind: KubeSchedulerConfiguration
            percentageOfNodesToScore: 30
            podMaxBackoffSeconds: 20
            leaderElection:
              leaderElect: false
              leaseDuration: 30s
            profiles:
              - schedulerName: default-scheduler
              - schedulerName: bin-packing
                plugins:
                  score:
                    enabled:
                      - name: NodeResourcesFit
                        weight: 5
                    disabled:
                      - name: NodeResourcesBalancedAllocation
                pluginConfig:
                  - name: NodeResourcesFit
                    args:
                      scoringStrategy:
                        type: MostAllocated
            """;

        var config = SchedulerConfiguration.Parse(yaml);

        Assert.Equal(30, config.PercentageOfNodesToScore);
        Assert.Equal(1, config.PodInitialBackoffSeconds);
        Assert.Equal(20, config.PodMaxBackoffSeconds);
        Assert.Equal(16, config.Parallelism);
        Assert.False(config.LeaderElection.LeaderElect);
        Assert.Equal(TimeSpan.FromSeconds(30), config.LeaderElection.LeaseDuration);
        Assert.Equal("kube-system", config.LeaderElection.ResourceNamespace);
        Assert.Equal(2, config.Profiles.Count);
        var score = config.Profiles[1].Plugins.Get(ExtensionPoint.Score);
        Assert.Equal(new PluginRef("NodeResourcesFit", 5), Assert.Single(score.Enabled));
        Assert.Equal("NodeResourcesBalancedAllocation", Assert.Single(score.Disabled));
        var args = config.Profiles[1].ArgsFor("NodeResourcesFit")!.Args!.Value;
        Assert.Equal("MostAllocated", args.GetProperty("scoringStrategy").GetProperty("type").GetString());
        config.Validate(DefaultNames());
    }

    [Fact]
    public void Parse_Json_Works()
    {
        var config = SchedulerConfiguration.Parse("""{"apiVersion":"kubescheduler.config.k8s.io/v1","kind":"KubeSchedulerConfiguration","parallelism":4}""");
        Assert.Equal(4, config.Parallelism);
        Assert.Equal("default-scheduler", Assert.Single(config.Profiles).SchedulerName);
    }

    [Fact]
    public void Parse_WrongApiVersion_Fails()
    {
        var error = Assert.Throws<SchedulerConfigurationException>(() =>
            SchedulerConfiguration.Parse("apiVersion: kubescheduler.config.k8s.io/v1beta3\nkind: KubeSchedulerConfiguration\n"));
        Assert.Contains("apiVersion: Unsupported value: \"kubescheduler.config.k8s.io/v1beta3\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReportsUnknownPluginDuplicateProfileAndWeight()
    {
        var config = new SchedulerConfiguration
        {
            Profiles =
            [
                new SchedulerProfile(),
                new SchedulerProfile
                {
                    Plugins = new PluginsConfiguration
                    {
                        Points = new Dictionary<ExtensionPoint, PluginSet>
                        {
                            [ExtensionPoint.Score] = new() { Enabled = [new PluginRef("NodeAffinity", 101), new PluginRef("Nope")] },
                        },
                    },
                },
            ],
        };

        var error = Assert.Throws<SchedulerConfigurationException>(() => config.Validate(DefaultNames()));

        Assert.Contains("profiles[1].schedulerName: Duplicate value: \"default-scheduler\"", error.Errors);
        Assert.Contains("profiles[1].plugins.score.enabled[0].weight: Invalid value: 101: must be in the range [0, 100]", error.Errors);
        Assert.Contains("profiles[1].plugins.score.enabled[1].name: Invalid value: \"Nope\": plugin \"Nope\" does not exist", error.Errors);
    }

    [Fact]
    public void Validate_MaxBackoffBelowInitial_Fails()
    {
        var config = new SchedulerConfiguration { PodInitialBackoffSeconds = 5, PodMaxBackoffSeconds = 2 };
        Assert.Throws<SchedulerConfigurationException>(() => config.Validate(DefaultNames()));
    }

    [Fact]
    public void MergeWithDefaults_KeepsOrderReplacesWeightsAndHonoursDisable()
    {
        var merged = PluginExpansion.MergeWithDefaults(new PluginSet
        {
            Enabled = [new PluginRef("TaintToleration", 7), new PluginRef("Custom")],
            Disabled = ["NodePorts"],
        });

        Assert.Equal(DefaultPlugins.MultiPoint.Count, merged.Count);
        Assert.Equal(new PluginRef("TaintToleration", 7), merged[4]);
        Assert.DoesNotContain(merged, p => p.Name == "NodePorts");
        Assert.Equal("Custom", merged[^1].Name);
        Assert.Equal([new PluginRef("Custom")], PluginExpansion.MergeWithDefaults(new PluginSet { Enabled = [new PluginRef("Custom")], Disabled = ["*"] }));
    }
}
