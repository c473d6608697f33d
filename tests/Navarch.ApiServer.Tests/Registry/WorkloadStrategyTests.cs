using k8s.Models;
using Navarch.ApiServer.Registry;
using Navarch.ApiServer.Registry.Kinds;
using static Navarch.ApiServer.Tests.Registry.StrategyTestHelpers;

namespace Navarch.ApiServer.Tests.Registry;

public sealed class WorkloadStrategyTests
{
    private static V1PodTemplateSpec Template(string app = "web", string? restartPolicy = null) => new()
    {
        Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = app } },
        Spec = new V1PodSpec { Containers = [Container()], RestartPolicy = restartPolicy },
    };

    private static V1LabelSelector Selector(string app = "web") => new() { MatchLabels = new Dictionary<string, string> { ["app"] = app } };

    private static V1Deployment Deployment(V1LabelSelector? selector = null, V1PodTemplateSpec? template = null) => new()
    {
        Metadata = Meta("web"),
        Spec = new V1DeploymentSpec { Selector = selector ?? Selector(), Template = template ?? Template() },
    };

    [Fact]
    public void Deployment_Create_AppliesDefaultsAndClearsStatus()
    {
        IResourceStrategy strategy = new DeploymentStrategy();
        var deployment = Deployment();
        deployment.Status = new V1DeploymentStatus { Replicas = 7 };

        Assert.Empty(Create(strategy, deployment));

        var spec = deployment.Spec;
        Assert.True(strategy.TracksGeneration);
        Assert.Equal(1, spec.Replicas);
        Assert.Equal("RollingUpdate", spec.Strategy.Type);
        Assert.Equal("25%", spec.Strategy.RollingUpdate.MaxUnavailable.Value);
        Assert.Equal("25%", spec.Strategy.RollingUpdate.MaxSurge.Value);
        Assert.Equal(10, spec.RevisionHistoryLimit);
        Assert.Equal(600, spec.ProgressDeadlineSeconds);
        Assert.Equal("Always", spec.Template.Spec.RestartPolicy);
        Assert.Equal("ClusterFirst", spec.Template.Spec.DnsPolicy);
        Assert.Null(spec.Template.Spec.ServiceAccountName); // pod-only defaults stay off templates
        Assert.Null(deployment.Status.Replicas);
    }

    [Fact]
    public void Deployment_SelectorNotMatchingTemplate_FailsWithKubernetesMessage()
    {
        var errors = Create(new DeploymentStrategy(), Deployment(Selector("other")));

        Assert.Equal(["spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` does not match template `labels`"], errors);
    }

    [Fact]
    public void Deployment_MissingSelectorNegativeReplicasAndNeverRestart_Fail()
    {
        var deployment = Deployment(template: Template(restartPolicy: "Never"));
        deployment.Spec.Selector = null;
        deployment.Spec.Replicas = -1;

        var errors = Create(new DeploymentStrategy(), deployment);

        Assert.Contains("spec.selector: Required value", errors);
        Assert.Contains("spec.replicas: Invalid value: -1: must be greater than or equal to 0", errors);
        Assert.Contains("spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\"", errors);
    }

    [Fact]
    public void Deployment_EmptySelector_IsInvalid()
    {
        var errors = Create(new DeploymentStrategy(), Deployment(new V1LabelSelector()));

        Assert.Equal(["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment"], errors);
    }

    [Fact]
    public void Deployment_Update_KeepsStatusAndForbidsSelectorChange()
    {
        IResourceStrategy strategy = new DeploymentStrategy();
        var old = Deployment();
        Create(strategy, old);
        old.Status = new V1DeploymentStatus { Replicas = 1 };
        var updated = Copy(old);
        updated.Status = null!; // a client omitting status; PrepareForUpdate restores it
        updated.Spec.Selector.MatchLabels["tier"] = "front";
        updated.Spec.Template.Metadata.Labels["tier"] = "front";

        var errors = Update(strategy, updated, old);

        Assert.Equal(1, updated.Status!.Replicas);
        Assert.Equal(["spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web\", \"tier\":\"front\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"], errors);
    }

    [Fact]
    public void SelectorMatchExpressions_AreHonoured()
    {
        var selector = new V1LabelSelector
        {
            MatchExpressions = [new V1LabelSelectorRequirement { Key = "app", OperatorProperty = "In", Values = ["web", "api"] }],
        };

        Assert.Empty(Create(new ReplicaSetStrategy(), new V1ReplicaSet { Metadata = Meta("rs"), Spec = new V1ReplicaSetSpec { Selector = selector, Template = Template() } }));
        Assert.Single(Create(new ReplicaSetStrategy(), new V1ReplicaSet { Metadata = Meta("rs"), Spec = new V1ReplicaSetSpec { Selector = selector, Template = Template("db") } }));
    }

    [Fact]
    public void DaemonSetAndStatefulSet_GetTheirDefaults()
    {
        var daemonSet = new V1DaemonSet { Metadata = Meta("ds"), Spec = new V1DaemonSetSpec { Selector = Selector(), Template = Template() } };
        Assert.Empty(Create(new DaemonSetStrategy(), daemonSet));
        Assert.Equal("RollingUpdate", daemonSet.Spec.UpdateStrategy.Type);
        Assert.Equal("1", daemonSet.Spec.UpdateStrategy.RollingUpdate.MaxUnavailable.Value);
        Assert.Equal("0", daemonSet.Spec.UpdateStrategy.RollingUpdate.MaxSurge.Value);
        Assert.Equal(10, daemonSet.Spec.RevisionHistoryLimit);

        var statefulSet = new V1StatefulSet { Metadata = Meta("db"), Spec = new V1StatefulSetSpec { Selector = Selector(), Template = Template() } };
        Assert.Empty(Create(new StatefulSetStrategy(), statefulSet));
        var spec = statefulSet.Spec;
        Assert.Equal((1, "OrderedReady", "RollingUpdate", 0, 10), (spec.Replicas!.Value, spec.PodManagementPolicy, spec.UpdateStrategy.Type, spec.UpdateStrategy.RollingUpdate.Partition!.Value, spec.RevisionHistoryLimit!.Value));
        Assert.Equal(("Retain", "Retain"), (spec.PersistentVolumeClaimRetentionPolicy.WhenDeleted, spec.PersistentVolumeClaimRetentionPolicy.WhenScaled));
    }

    [Fact]
    public void StatefulSet_Update_OfServiceName_IsForbidden()
    {
        IResourceStrategy strategy = new StatefulSetStrategy();
        var old = new V1StatefulSet { Metadata = Meta("db"), Spec = new V1StatefulSetSpec { Selector = Selector(), Template = Template(), ServiceName = "db" } };
        Create(strategy, old);
        var scaled = Copy(old);
        scaled.Spec.Replicas = 3;
        Assert.Empty(Update(strategy, scaled, old));

        var renamed = Copy(old);
        renamed.Spec.ServiceName = "other";
        Assert.Equal(["spec: Forbidden: " + StatefulSetStrategy.ForbiddenUpdateMessage], Update(strategy, renamed, old));
    }

    [Fact]
    public void Job_Create_DefaultsAndGeneratesSelector()
    {
        var job = new V1Job { Metadata = Meta("pi"), Spec = new V1JobSpec { Template = Template("pi", "Never") } };
        job.Spec.Template.Metadata.Labels.Clear();

        Assert.Empty(Create(new JobStrategy(), job));

        var spec = job.Spec;
        Assert.Equal((1, 1, 6, "NonIndexed", false), (spec.Completions!.Value, spec.Parallelism!.Value, spec.BackoffLimit!.Value, spec.CompletionMode, spec.Suspend!.Value));
        Assert.Equal("uid-1", spec.Selector.MatchLabels["batch.kubernetes.io/controller-uid"]);
        var labels = spec.Template.Metadata.Labels;
        Assert.Equal(("uid-1", "uid-1", "pi", "pi"), (labels["batch.kubernetes.io/controller-uid"], labels["controller-uid"], labels["batch.kubernetes.io/job-name"], labels["job-name"]));
        Assert.Null(spec.ManualSelector);
    }

    [Fact]
    public void Job_WithAlwaysRestart_IsRejected()
    {
        var job = new V1Job { Metadata = Meta("pi"), Spec = new V1JobSpec { Template = Template("pi") } };

        var errors = Create(new JobStrategy(), job);

        Assert.Equal(["spec.template.spec.restartPolicy: Unsupported value: \"Always\": supported values: \"OnFailure\", \"Never\""], errors);
    }

    [Fact]
    public void Job_Update_OfTemplate_IsImmutable()
    {
        IResourceStrategy strategy = new JobStrategy();
        var old = new V1Job { Metadata = Meta("pi"), Spec = new V1JobSpec { Template = Template("pi", "Never") } };
        Create(strategy, old);
        var updated = Copy(old);
        updated.Spec.Template.Spec.Containers[0].Image = "perl:2";

        Assert.Contains(Update(strategy, updated, old), e => e.StartsWith("spec.template: Invalid value: ", StringComparison.Ordinal) && e.EndsWith(": field is immutable", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("*/5 * * * *", null)]
    [InlineData("0 0 1 jan-mar mon,fri", null)]
    [InlineData("@hourly", null)]
    [InlineData("@every 1h30m", null)]
    [InlineData("* * * *", "expected exactly 5 fields, found 4: [* * * *]")]
    [InlineData("60 * * * *", "end of range (60) above maximum (59): 60")]
    [InlineData("@sometimes", "unrecognized descriptor: @sometimes")]
    public void CronSchedule_ParsesLikeTheStandardParser(string schedule, string? expected)
    {
        Assert.Equal(expected, Navarch.ApiServer.Registry.Validation.CronSchedule.Validate(schedule));
    }

    [Fact]
    public void CronJob_DefaultsAndScheduleValidation()
    {
        var cronJob = new V1CronJob
        {
            Metadata = Meta("nightly"),
            Spec = new V1CronJobSpec
            {
                Schedule = "0 3 * * *",
                JobTemplate = new V1JobTemplateSpec { Spec = new V1JobSpec { Template = Template("n", "OnFailure") } },
            },
        };

        Assert.Empty(Create(new CronJobStrategy(), cronJob));
        Assert.Equal(("Allow", false, 3, 1), (cronJob.Spec.ConcurrencyPolicy, cronJob.Spec.Suspend!.Value, cronJob.Spec.SuccessfulJobsHistoryLimit!.Value, cronJob.Spec.FailedJobsHistoryLimit!.Value));
        Assert.Null(cronJob.Spec.JobTemplate.Spec.BackoffLimit);

        cronJob.Spec.Schedule = "bogus";
        Assert.Equal(["spec.schedule: Invalid value: \"bogus\": expected exactly 5 fields, found 1: [bogus]"], Create(new CronJobStrategy(), cronJob));
    }
}
