using k8s.Models;
using Navarch.ApiServer.Printing;

namespace Navarch.ApiServer.Tests.Printing;

public sealed class EventTableConvertorTests
{
    private readonly EventTableConvertor _table = new();

    [Fact]
    public void Columns_MatchKubernetesEventColumnsInOrder()
    {
        Assert.Equal(
            ["Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen", "Count", "Name"],
            _table.Columns.Select(c => c.Name));
        Assert.Equal([0, 0, 0, 0, 1, 1, 0, 1, 1, 1], _table.Columns.Select(c => c.Priority));
    }

    [Fact]
    public void Cells_CoreEvent_ShowsAllColumns()
    {
        var ev = new Corev1Event
        {
            Metadata = PrintedRow.Meta("web.17f"),
            FirstTimestamp = PrintedRow.Ago(TimeSpan.FromMinutes(10)),
            LastTimestamp = PrintedRow.Ago(TimeSpan.FromSeconds(30)),
            Count = 4,
            InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "web", FieldPath = "spec.containers{web}" },
            Source = new V1EventSource { Component = "kubelet", Host = "node-1" },
            Type = "Warning",
            Reason = "BackOff",
            Message = "Back-off restarting failed container\n",
        };

        var row = PrintedRow.Print(_table, ev);

        Assert.Equal(
            ["30s", "Warning", "BackOff", "pod/web", "spec.containers{web}", "kubelet, node-1", "Back-off restarting failed container", "10m", 4L, "web.17f"],
            row.Cells);
    }

    [Fact]
    public void Cells_NewStyleSingletonEvent_UsesEventTimeAndCountsOne()
    {
        var ev = new Corev1Event
        {
            Metadata = PrintedRow.Meta("n.1"),
            EventTime = PrintedRow.Ago(TimeSpan.FromSeconds(12)),
            InvolvedObject = new V1ObjectReference { Kind = "Node" },
            ReportingComponent = "navarch-controller",
            Type = "Normal",
            Reason = "RegisteredNode",
        };

        var row = PrintedRow.Print(_table, ev);

        Assert.Equal("12s", row["Last Seen"]);
        Assert.Equal("12s", row["First Seen"]);
        Assert.Equal("node", row["Object"]);
        Assert.Equal("navarch-controller", row["Source"]);
        Assert.Equal(1L, row["Count"]);
    }

    [Fact]
    public void Cells_EventsV1EventWithSeries_UsesSeriesAndMapsFields()
    {
        var ev = new Eventsv1Event
        {
            Metadata = PrintedRow.Meta("web.18a"),
            EventTime = PrintedRow.Ago(TimeSpan.FromMinutes(3)),
            Series = new Eventsv1EventSeries { Count = 7, LastObservedTime = PrintedRow.Ago(TimeSpan.FromSeconds(5)) },
            Regarding = new V1ObjectReference { Kind = "Deployment", Name = "web" },
            ReportingController = "deployment-controller",
            ReportingInstance = "cm-1",
            Note = "Scaled up replica set web-5d8f to 3",
            Type = "Normal",
            Reason = "ScalingReplicaSet",
        };

        var row = PrintedRow.Print(_table, ev);

        Assert.Equal(
            ["5s", "Normal", "ScalingReplicaSet", "deployment/web", "", "deployment-controller, cm-1", "Scaled up replica set web-5d8f to 3", "3m", 7L, "web.18a"],
            row.Cells);
    }

    [Fact]
    public void Cells_NoTimes_ShowUnknown()
    {
        var row = PrintedRow.Print(_table, new Corev1Event { Metadata = PrintedRow.Meta("e"), InvolvedObject = new V1ObjectReference() });

        Assert.Equal("<unknown>", row["Last Seen"]);
        Assert.Equal("<unknown>", row["First Seen"]);
    }
}
