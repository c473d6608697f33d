using k8s.Models;
using Navarch.ApiServer.Printing;

namespace Navarch.ApiServer.Tests.Printing;

public sealed class WorkloadTableConvertorTests
{
    private static V1PodTemplateSpec Template(Dictionary<string, string>? nodeSelector = null) => new()
    {
        Spec = new V1PodSpec
        {
            Containers = [new V1Container { Name = "web", Image = "nginx:1.27" }, new V1Container { Name = "log", Image = "busybox" }],
            NodeSelector = nodeSelector,
        },
    };

    private static V1LabelSelector AppSelector() => new() { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } };

    [Fact]
    public void Deployment_Cells_ShowReadyOfDesiredAndWideColumns()
    {
        var deployment = new V1Deployment
        {
            Metadata = PrintedRow.Meta("web"),
            Spec = new V1DeploymentSpec { Replicas = 3, Selector = AppSelector(), Template = Template() },
            Status = new V1DeploymentStatus { ReadyReplicas = 2, UpdatedReplicas = 3, AvailableReplicas = 2 },
        };
        var table = new DeploymentTableConvertor();

        var row = PrintedRow.Print(table, deployment);

        Assert.Equal(["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"], table.Columns.Select(c => c.Name));
        Assert.Equal("2/3", row["Ready"]);
        Assert.Equal(3L, row["Up-to-date"]);
        Assert.Equal(2L, row["Available"]);
        Assert.Equal("web,log", row["Containers"]);
        Assert.Equal("nginx:1.27,busybox", row["Images"]);
        Assert.Equal("app=web", row["Selector"]);
    }

    [Fact]
    public void Deployment_Cells_NoStatusYet_ShowsZeroReady()
    {
        var deployment = new V1Deployment { Metadata = PrintedRow.Meta("web"), Spec = new V1DeploymentSpec { Replicas = 2, Template = Template() } };

        var row = PrintedRow.Print(new DeploymentTableConvertor(), deployment);

        Assert.Equal("0/2", row["Ready"]);
        Assert.Equal(0L, row["Available"]);
        Assert.Equal("", row["Selector"]);
    }

    [Fact]
    public void ReplicaSet_Cells_ShowDesiredCurrentReady()
    {
        var replicaSet = new V1ReplicaSet
        {
            Metadata = PrintedRow.Meta("web-5d8f"),
            Spec = new V1ReplicaSetSpec
            {
                Replicas = 3,
                Template = Template(),
                Selector = new V1LabelSelector
                {
                    MatchLabels = new Dictionary<string, string> { ["pod-template-hash"] = "5d8f", ["app"] = "web" },
                    MatchExpressions = [new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "In", Values = ["front", "back"] }],
                },
            },
            Status = new V1ReplicaSetStatus { Replicas = 3, ReadyReplicas = 1 },
        };

        var row = PrintedRow.Print(new ReplicaSetTableConvertor(), replicaSet);

        Assert.Equal(3L, row["Desired"]);
        Assert.Equal(3L, row["Current"]);
        Assert.Equal(1L, row["Ready"]);
        Assert.Equal("app=web,pod-template-hash=5d8f,tier in (back,front)", row["Selector"]);
    }

    [Fact]
    public void DaemonSet_Cells_ShowCountsAndNodeSelector()
    {
        var daemonSet = new V1DaemonSet
        {
            Metadata = PrintedRow.Meta("agent"),
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector
                {
                    MatchExpressions =
                    [
                        new V1LabelSelectorRequirement { Key = "app", OperatorProperty = "Exists" },
                        new V1LabelSelectorRequirement { Key = "legacy", OperatorProperty = "DoesNotExist" },
                    ],
                },
                Template = Template(new Dictionary<string, string> { ["kubernetes.io/os"] = "linux" }),
            },
            Status = new V1DaemonSetStatus { DesiredNumberScheduled = 3, CurrentNumberScheduled = 3, NumberReady = 2, UpdatedNumberScheduled = 3, NumberAvailable = 2 },
        };
        var table = new DaemonSetTableConvertor();

        var row = PrintedRow.Print(table, daemonSet);

        Assert.Equal(
            ["Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age", "Containers", "Images", "Selector"],
            table.Columns.Select(c => c.Name));
        Assert.Equal([3L, 3L, 2L, 3L, 2L], new[] { row["Desired"], row["Current"], row["Ready"], row["Up-to-date"], row["Available"] });
        Assert.Equal("kubernetes.io/os=linux", row["Node Selector"]);
        Assert.Equal("app,!legacy", row["Selector"]);
    }

    [Fact]
    public void DaemonSet_Cells_NoNodeSelector_ShowsNone()
    {
        var daemonSet = new V1DaemonSet { Metadata = PrintedRow.Meta("agent"), Spec = new V1DaemonSetSpec { Template = Template() } };

        var row = PrintedRow.Print(new DaemonSetTableConvertor(), daemonSet);

        Assert.Equal("<none>", row["Node Selector"]);
        Assert.Equal("<none>", row["Selector"]);
    }

    [Fact]
    public void StatefulSet_Cells_ShowReadyOfDesired()
    {
        var statefulSet = new V1StatefulSet
        {
            Metadata = PrintedRow.Meta("db"),
            Spec = new V1StatefulSetSpec { Replicas = 3, Template = Template() },
            Status = new V1StatefulSetStatus { Replicas = 3, ReadyReplicas = 3 },
        };
        var table = new StatefulSetTableConvertor();

        var row = PrintedRow.Print(table, statefulSet);

        Assert.Equal(["Name", "Ready", "Age", "Containers", "Images"], table.Columns.Select(c => c.Name));
        Assert.Equal("3/3", row["Ready"]);
    }

    [Fact]
    public void Job_Cells_CompleteJob_ShowsCompletionsAndDuration()
    {
        var job = new V1Job
        {
            Metadata = PrintedRow.Meta("backup", TimeSpan.FromMinutes(10)),
            Spec = new V1JobSpec { Completions = 1, Template = Template(), Selector = AppSelector() },
            Status = new V1JobStatus
            {
                Succeeded = 1,
                StartTime = PrintedRow.Ago(TimeSpan.FromMinutes(10)),
                CompletionTime = PrintedRow.Ago(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(7)),
                Conditions = [new V1JobCondition { Type = "Complete", Status = "True" }],
            },
        };
        var table = new JobTableConvertor();

        var row = PrintedRow.Print(table, job);

        Assert.Equal(["Name", "Status", "Completions", "Duration", "Age", "Containers", "Images", "Selector"], table.Columns.Select(c => c.Name));
        Assert.Equal("Complete", row["Status"]);
        Assert.Equal("1/1", row["Completions"]);
        Assert.Equal("7s", row["Duration"]);
        Assert.Equal("10m", row["Age"]);
    }

    [Fact]
    public void Job_Cells_RunningParallelJob_ShowsParallelismAndElapsedDuration()
    {
        var job = new V1Job
        {
            Metadata = PrintedRow.Meta("work"),
            Spec = new V1JobSpec { Parallelism = 3, Template = Template() },
            Status = new V1JobStatus { Succeeded = 1, StartTime = PrintedRow.Ago(TimeSpan.FromSeconds(200)) },
        };

        var row = PrintedRow.Print(new JobTableConvertor(), job);

        Assert.Equal("Running", row["Status"]);
        Assert.Equal("1/1 of 3", row["Completions"]);
        Assert.Equal("3m20s", row["Duration"]);
    }

    [Theory]
    [InlineData("Failed", false, "Failed")]
    [InlineData("Suspended", false, "Suspended")]
    [InlineData("FailureTarget", false, "FailureTarget")]
    [InlineData("Suspended", true, "Terminating")]
    public void Job_Cells_Status_FollowsConditions(string condition, bool deleting, string expected)
    {
        var job = new V1Job
        {
            Metadata = PrintedRow.Meta("work"),
            Spec = new V1JobSpec { Template = Template() },
            Status = new V1JobStatus { Conditions = [new V1JobCondition { Type = condition, Status = "True" }] },
        };
        if (deleting)
        {
            job.Metadata.DeletionTimestamp = PrintedRow.Ago(TimeSpan.FromSeconds(1));
        }

        var row = PrintedRow.Print(new JobTableConvertor(), job);

        Assert.Equal(expected, row["Status"]);
        Assert.Equal("0/1", row["Completions"]);
        Assert.Equal("", row["Duration"]);
    }

    [Fact]
    public void CronJob_Cells_ShowScheduleTimezoneSuspendAndLastSchedule()
    {
        var cronJob = new V1CronJob
        {
            Metadata = PrintedRow.Meta("nightly", TimeSpan.FromDays(2)),
            Spec = new V1CronJobSpec
            {
                Schedule = "0 3 * * *",
                Suspend = false,
                JobTemplate = new V1JobTemplateSpec { Spec = new V1JobSpec { Template = Template() } },
            },
            Status = new V1CronJobStatus { Active = [new V1ObjectReference { Name = "nightly-1" }], LastScheduleTime = PrintedRow.Ago(TimeSpan.FromHours(9)) },
        };
        var table = new CronJobTableConvertor();

        var row = PrintedRow.Print(table, cronJob);

        Assert.Equal(
            ["Name", "Schedule", "Timezone", "Suspend", "Active", "Last Schedule", "Age", "Containers", "Images", "Selector"],
            table.Columns.Select(c => c.Name));
        Assert.Equal("0 3 * * *", row["Schedule"]);
        Assert.Equal("<none>", row["Timezone"]);
        Assert.Equal("False", row["Suspend"]);
        Assert.Equal(1L, row["Active"]);
        Assert.Equal("9h", row["Last Schedule"]);
        Assert.Equal("2d", row["Age"]);
        Assert.Equal("<none>", row["Selector"]);
    }

    [Fact]
    public void CronJob_Cells_NeverScheduled_ShowsNoneAndUnsetSuspend()
    {
        var cronJob = new V1CronJob { Metadata = PrintedRow.Meta("c"), Spec = new V1CronJobSpec { Schedule = "@hourly", TimeZone = "Etc/UTC" } };

        var row = PrintedRow.Print(new CronJobTableConvertor(), cronJob);

        Assert.Equal("Etc/UTC", row["Timezone"]);
        Assert.Equal("<unset>", row["Suspend"]);
        Assert.Equal(0L, row["Active"]);
        Assert.Equal("<none>", row["Last Schedule"]);
    }
}
