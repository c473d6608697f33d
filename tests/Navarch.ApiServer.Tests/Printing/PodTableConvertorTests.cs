using k8s.Models;
using Navarch.ApiServer.Printing;

namespace Navarch.ApiServer.Tests.Printing;

public sealed class PodTableConvertorTests
{
    private readonly PodTableConvertor _table = new();

    private static V1Pod Pod(V1PodStatus status, IList<V1Container>? init = null, int containers = 1) => new()
    {
        Metadata = PrintedRow.Meta("web"),
        Spec = new V1PodSpec
        {
            Containers = Enumerable.Range(0, containers).Select(i => new V1Container { Name = "c" + i, Image = "nginx" }).ToList(),
            InitContainers = init,
        },
        Status = status,
    };

    private static V1ContainerStatus Running(string name, bool ready = true, int restarts = 0) => new()
    {
        Name = name,
        Ready = ready,
        RestartCount = restarts,
        State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = PrintedRow.Ago(TimeSpan.FromMinutes(1)) } },
    };

    [Fact]
    public void Columns_MatchKubernetesPodColumns()
    {
        Assert.Equal(
            ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"],
            _table.Columns.Select(c => c.Name));
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1, 1], _table.Columns.Select(c => c.Priority));
        Assert.Equal("name", _table.Columns[0].Format);
    }

    [Fact]
    public void Cells_TwoContainersOneReady_ShowsOneOfTwo()
    {
        var pod = Pod(new V1PodStatus { Phase = "Running", ContainerStatuses = [Running("c0"), Running("c1", ready: false)] }, containers: 2);

        var row = PrintedRow.Print(_table, pod);

        Assert.Equal("web", row["Name"]);
        Assert.Equal("1/2", row["Ready"]);
        Assert.Equal("Running", row["Status"]);
        Assert.Equal("0", row["Restarts"]);
        Assert.Equal("5m", row["Age"]);
    }

    [Fact]
    public void Cells_CrashLoopBackOff_ShowsWaitingReasonAndLastRestartAge()
    {
        var status = new V1PodStatus
        {
            Phase = "Running",
            ContainerStatuses =
            [
                new V1ContainerStatus
                {
                    Name = "c0",
                    RestartCount = 4,
                    State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff" } },
                    LastState = new V1ContainerState
                    {
                        Terminated = new V1ContainerStateTerminated { ExitCode = 1, Reason = "Error", FinishedAt = PrintedRow.Ago(TimeSpan.FromSeconds(45)) },
                    },
                },
            ],
        };

        var row = PrintedRow.Print(_table, Pod(status));

        Assert.Equal("CrashLoopBackOff", row["Status"]);
        Assert.Equal("4 (45s ago)", row["Restarts"]);
        Assert.Equal("0/1", row["Ready"]);
    }

    [Fact]
    public void Cells_ContainerCreating_ShowsWaitingReason()
    {
        var status = new V1PodStatus
        {
            Phase = "Pending",
            ContainerStatuses = [new V1ContainerStatus { Name = "c0", State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ContainerCreating" } } }],
        };

        Assert.Equal("ContainerCreating", PrintedRow.Print(_table, Pod(status))["Status"]);
    }

    [Fact]
    public void Cells_FirstInitContainerRunning_ShowsInitProgress()
    {
        var status = new V1PodStatus
        {
            Phase = "Pending",
            InitContainerStatuses = [Running("init", ready: false)],
            ContainerStatuses = [new V1ContainerStatus { Name = "c0", State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "PodInitializing" } } }],
        };

        var row = PrintedRow.Print(_table, Pod(status, init: [new V1Container { Name = "init" }]));

        Assert.Equal("Init:0/1", row["Status"]);
    }

    [Fact]
    public void Cells_InitDoneMainWaitingPodInitializing_ShowsPodInitializing()
    {
        var status = new V1PodStatus
        {
            Phase = "Pending",
            InitContainerStatuses = [new V1ContainerStatus { Name = "init", State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 0, Reason = "Completed" } } }],
            ContainerStatuses = [new V1ContainerStatus { Name = "c0", State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "PodInitializing" } } }],
        };

        Assert.Equal("PodInitializing", PrintedRow.Print(_table, Pod(status, init: [new V1Container { Name = "init" }]))["Status"]);
    }

    [Fact]
    public void Cells_InitContainerFailed_ShowsInitReasonOrExitCode()
    {
        V1PodStatus Failed(string? reason, int? signal) => new()
        {
            Phase = "Pending",
            InitContainerStatuses =
            [
                new V1ContainerStatus { Name = "init", State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 2, Reason = reason, Signal = signal } } },
            ],
        };
        List<V1Container> init = [new V1Container { Name = "init" }];

        Assert.Equal("Init:Error", PrintedRow.Print(_table, Pod(Failed("Error", null), init))["Status"]);
        Assert.Equal("Init:ExitCode:2", PrintedRow.Print(_table, Pod(Failed(null, null), init))["Status"]);
        Assert.Equal("Init:Signal:9", PrintedRow.Print(_table, Pod(Failed(null, 9), init))["Status"]);
    }

    [Fact]
    public void Cells_InitContainerCrashLooping_ShowsInitWaitingReason()
    {
        var status = new V1PodStatus
        {
            Phase = "Pending",
            InitContainerStatuses =
            [
                new V1ContainerStatus { Name = "init", RestartCount = 3, State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff" } } },
            ],
        };

        var row = PrintedRow.Print(_table, Pod(status, init: [new V1Container { Name = "init" }]));

        Assert.Equal("Init:CrashLoopBackOff", row["Status"]);
        Assert.Equal("3", row["Restarts"]);
    }

    [Fact]
    public void Cells_StartedSidecar_CountsTowardReady()
    {
        var sidecar = Running("sidecar");
        sidecar.Started = true;
        var status = new V1PodStatus
        {
            Phase = "Running",
            Conditions = [new V1PodCondition { Type = "Initialized", Status = "True" }],
            InitContainerStatuses = [sidecar],
            ContainerStatuses = [Running("c0")],
        };

        var row = PrintedRow.Print(_table, Pod(status, init: [new V1Container { Name = "sidecar", RestartPolicy = "Always" }]));

        Assert.Equal("2/2", row["Ready"]);
        Assert.Equal("Running", row["Status"]);
    }

    [Fact]
    public void Cells_DeletionTimestampOnRunningPod_ShowsTerminating()
    {
        var pod = Pod(new V1PodStatus { Phase = "Running", ContainerStatuses = [Running("c0")] });
        pod.Metadata.DeletionTimestamp = PrintedRow.Ago(TimeSpan.FromSeconds(3));

        Assert.Equal("Terminating", PrintedRow.Print(_table, pod)["Status"]);
    }

    [Fact]
    public void Cells_DeletionTimestampOnSucceededPod_KeepsCompleted()
    {
        var pod = Pod(new V1PodStatus
        {
            Phase = "Succeeded",
            ContainerStatuses = [new V1ContainerStatus { Name = "c0", State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 0, Reason = "Completed" } } }],
        });
        pod.Metadata.DeletionTimestamp = PrintedRow.Ago(TimeSpan.FromSeconds(3));

        Assert.Equal("Completed", PrintedRow.Print(_table, pod)["Status"]);
    }

    [Fact]
    public void Cells_DeletedPodOnLostNode_ShowsUnknown()
    {
        var pod = Pod(new V1PodStatus { Phase = "Running", Reason = "NodeLost", ContainerStatuses = [Running("c0")] });
        pod.Metadata.DeletionTimestamp = PrintedRow.Ago(TimeSpan.FromSeconds(3));

        Assert.Equal("Unknown", PrintedRow.Print(_table, pod)["Status"]);
    }

    [Fact]
    public void Cells_OneContainerCompletedOtherRunning_ShowsRunningOrNotReady()
    {
        V1PodStatus Status(bool podReady) => new()
        {
            Phase = "Running",
            Conditions = [new V1PodCondition { Type = "Ready", Status = podReady ? "True" : "False" }],
            ContainerStatuses =
            [
                new V1ContainerStatus { Name = "c0", State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 0, Reason = "Completed" } } },
                Running("c1"),
            ],
        };

        Assert.Equal("Running", PrintedRow.Print(_table, Pod(Status(true), containers: 2))["Status"]);
        Assert.Equal("NotReady", PrintedRow.Print(_table, Pod(Status(false), containers: 2))["Status"]);
    }

    [Fact]
    public void Cells_TerminatedWithoutReason_ShowsExitCode()
    {
        var status = new V1PodStatus
        {
            Phase = "Failed",
            ContainerStatuses = [new V1ContainerStatus { Name = "c0", State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 137 } } }],
        };

        Assert.Equal("ExitCode:137", PrintedRow.Print(_table, Pod(status))["Status"]);
    }

    [Fact]
    public void Cells_SchedulingGated_ShowsSchedulingGated()
    {
        var status = new V1PodStatus
        {
            Phase = "Pending",
            Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "False", Reason = "SchedulingGated" }],
        };

        Assert.Equal("SchedulingGated", PrintedRow.Print(_table, Pod(status))["Status"]);
    }

    [Fact]
    public void Cells_Wide_ShowsIPNodeNominatedAndReadinessGates()
    {
        var pod = Pod(new V1PodStatus
        {
            Phase = "Running",
            PodIPs = [new V1PodIP { Ip = "10.42.0.5" }],
            Conditions = [new V1PodCondition { Type = "example.com/gate", Status = "True" }],
            ContainerStatuses = [Running("c0")],
        });
        pod.Spec.NodeName = "node-1";
        pod.Spec.ReadinessGates = [new V1PodReadinessGate { ConditionType = "example.com/gate" }, new V1PodReadinessGate { ConditionType = "other" }];

        var row = PrintedRow.Print(_table, pod);

        Assert.Equal("10.42.0.5", row["IP"]);
        Assert.Equal("node-1", row["Node"]);
        Assert.Equal("<none>", row["Nominated Node"]);
        Assert.Equal("1/2", row["Readiness Gates"]);
    }

    [Fact]
    public void Cells_PendingUnscheduledPod_ShowsNoneForWideColumns()
    {
        var row = PrintedRow.Print(_table, Pod(new V1PodStatus { Phase = "Pending" }));

        Assert.Equal("Pending", row["Status"]);
        Assert.Equal("0/1", row["Ready"]);
        Assert.Equal("<none>", row["IP"]);
        Assert.Equal("<none>", row["Node"]);
        Assert.Equal("<none>", row["Readiness Gates"]);
    }

    [Fact]
    public void Cells_NoCreationTimestamp_AgeIsUnknown()
    {
        var pod = Pod(new V1PodStatus { Phase = "Pending" });
        pod.Metadata.CreationTimestamp = null;

        Assert.Equal("<unknown>", PrintedRow.Print(_table, pod)["Age"]);
    }

    [Fact]
    public void Cells_WrongKind_Throws() =>
        Assert.Throws<ArgumentException>(() => _table.Cells(new V1Node { Metadata = new V1ObjectMeta() }, PrintedRow.Now));
}
