using System.Text.Json.Nodes;
using Navarch.ApiServer.Protobuf;

namespace Navarch.ApiServer.Tests.Protobuf;

public sealed class KubernetesProtobufTests
{
    private static void AssertJson(string expected, JsonNode actual)
    {
        var expectedNode = JsonNode.Parse(expected);
        Assert.True(JsonNode.DeepEquals(expectedNode, actual), $"expected {expectedNode!.ToJsonString()}\nactual   {actual.ToJsonString()}");
    }

    [Theory]
    [InlineData("application/vnd.kubernetes.protobuf", true)]
    [InlineData("Application/VND.Kubernetes.Protobuf; charset=utf-8", true)]
    [InlineData("application/json", false)]
    [InlineData("application/vnd.kubernetes.protobuf.other", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsProtobuf_RecognisesKubernetesProtobufMediaType(string? mediaType, bool expected) =>
        Assert.Equal(expected, KubernetesProtobuf.IsProtobuf(mediaType));

    [Fact]
    public void DecodeToJson_Deployment_MatchesKubectlJson()
    {
        var deployment = new ProtoWriter()
            .Message(1, ProtoWriter.Meta("web", "default", m => m.Entry(11, "app", "web")))
            .Message(2, spec => spec
                .Varint(1, 2)
                .Message(2, sel => sel.Entry(1, "app", "web"))
                .Message(3, tpl => tpl
                    .Message(1, ProtoWriter.Meta("", extra: m => m.Entry(11, "app", "web")))
                    .Message(2, pod => pod
                        .Message(2, c => c
                            .String(1, "nginx").String(2, "nginx:1.25").String(5, "")
                            .Message(6, p => p.String(1, "http").Varint(2, 0).Varint(3, 80).String(4, "TCP").String(5, ""))
                            .Message(7, e => e.String(1, "MODE").String(2, "prod"))
                            .Message(7, e => e.String(1, "EMPTY").String(2, ""))
                            .Message(8, r => r
                                .Message(1, e => e.String(1, "memory").Message(2, q => q.String(1, "128Mi")))
                                .Message(2, e => e.String(1, "cpu").Message(2, q => q.String(1, "250m"))))
                            .String(13, "").String(14, "").Varint(16, 0))
                        .String(3, "").Varint(11, 0)))
                .Message(4, s => s.String(1, ""))
                .Varint(5, 0).Varint(7, 0))
            .Message(3, status => status.Varint(1, 0).Varint(2, 0));

        var decoded = KubernetesProtobuf.DecodeToJson(ProtoWriter.Envelope("apps/v1", "Deployment", deployment));

        Assert.Equal("apps/v1", decoded.ApiVersion);
        Assert.Equal("Deployment", decoded.Kind);
        AssertJson("""
            {"apiVersion":"apps/v1","kind":"Deployment",
             "metadata":{"name":"web","namespace":"default","creationTimestamp":null,"labels":{"app":"web"}},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
               "template":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},
                 "spec":{"containers":[{"name":"nginx","image":"nginx:1.25",
                   "ports":[{"name":"http","containerPort":80,"protocol":"TCP"}],
                   "env":[{"name":"MODE","value":"prod"},{"name":"EMPTY"}],
                   "resources":{"limits":{"memory":"128Mi"},"requests":{"cpu":"250m"}}}]}},
               "strategy":{}},
             "status":{}}
            """, decoded.Object);
    }

    // The body stock kubectl 1.32 sent for `kubectl create deployment web --image=nginx:1.25 --replicas=2 --port=80
    // --dry-run=server` (captured from a stub server); kubectl sends the JSON below for the same command with JSON.
    private const string KubectlCreateDeploymentHex = ""
        + "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412bd010a1f0a0377656212001a0022002a003200380042005a0a0a0361"
        + "70701203776562128b010802120c0a0a0a0361707012037765621a710a1c0a0012001a0022002a003200380042005a0a0a03617070120377"
        + "6562125112330a056e67696e78120a6e67696e783a312e32352a00320a0a001000185022002a0042006a007200800100880100900100a201"
        + "001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200";

    [Fact]
    public void DecodeToJson_KubectlCreateDeploymentBody_MatchesKubectlJson()
    {
        var decoded = KubernetesProtobuf.DecodeToJson(Convert.FromHexString(KubectlCreateDeploymentHex));

        AssertJson("""
            {"apiVersion":"apps/v1","kind":"Deployment",
             "metadata":{"name":"web","creationTimestamp":null,"labels":{"app":"web"}},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
               "template":{"metadata":{"creationTimestamp":null,"labels":{"app":"web"}},
                 "spec":{"containers":[{"name":"nginx","image":"nginx:1.25","ports":[{"containerPort":80}],"resources":{}}]}},
               "strategy":{}},
             "status":{}}
            """, decoded.Object);
    }

    [Fact]
    public void DecodeToJson_PointerFieldSetToZero_IsKept()
    {
        var deployment = new ProtoWriter()
            .Message(1, ProtoWriter.Meta("idle"))
            .Message(2, spec => spec.Varint(1, 0).Varint(6, 0));

        var decoded = KubernetesProtobuf.DecodeToJson(ProtoWriter.Envelope("apps/v1", "Deployment", deployment));

        AssertJson("""{"replicas":0,"revisionHistoryLimit":0}""", decoded.Object["spec"]!);
    }

    [Fact]
    public void DecodeToJson_ConfigMap_DecodesDataAndBinaryDataMaps()
    {
        var configMap = new ProtoWriter()
            .Message(1, ProtoWriter.Meta("settings", "apps"))
            .Entry(2, "mode", "fast")
            .Entry(2, "empty", "")
            .Entry(3, "blob", [0, 1, 2, 255]);

        var decoded = KubernetesProtobuf.DecodeToJson(ProtoWriter.Envelope("v1", "ConfigMap", configMap));

        AssertJson("""
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"apps","creationTimestamp":null},
             "data":{"mode":"fast","empty":""},"binaryData":{"blob":"AAEC/w=="}}
            """, decoded.Object);
    }

    [Fact]
    public void DecodeToJson_Secret_EncodesBytesAsBase64()
    {
        var secret = new ProtoWriter()
            .Message(1, ProtoWriter.Meta("creds"))
            .Entry(2, "password", "s3cr3t"u8.ToArray())
            .String(3, "Opaque");

        var decoded = KubernetesProtobuf.DecodeToJson(ProtoWriter.Envelope("v1", "Secret", secret));

        AssertJson("""
            {"apiVersion":"v1","kind":"Secret","metadata":{"name":"creds","creationTimestamp":null},
             "data":{"password":"czNjcjN0"},"type":"Opaque"}
            """, decoded.Object);
    }

    [Fact]
    public void DecodeToJson_Service_TargetPortIntOrString()
    {
        var service = new ProtoWriter()
            .Message(1, ProtoWriter.Meta("web"))
            .Message(2, spec => spec
                .Message(1, p => p.String(1, "http").String(2, "TCP").Varint(3, 80)
                    .Message(4, t => t.Varint(1, 0).Varint(2, 8080).String(3, "")).Varint(5, 0))
                .Message(1, p => p.String(1, "admin").String(2, "TCP").Varint(3, 9000)
                    .Message(4, t => t.Varint(1, 1).Varint(2, 0).String(3, "admin-port")).Varint(5, 0))
                .Entry(2, "app", "web")
                .String(3, "").String(4, "ClusterIP"))
            .Message(3, status => status.Message(1, lb => { }));

        var decoded = KubernetesProtobuf.DecodeToJson(ProtoWriter.Envelope("v1", "Service", service));

        AssertJson("""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","creationTimestamp":null},
             "spec":{"ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":8080},
                              {"name":"admin","protocol":"TCP","port":9000,"targetPort":"admin-port"}],
                     "selector":{"app":"web"},"type":"ClusterIP"},
             "status":{"loadBalancer":{}}}
            """, decoded.Object);
    }

    [Fact]
    public void DecodeToJson_Namespace()
    {
        var ns = new ProtoWriter()
            .Message(1, ProtoWriter.Meta("team-a"))
            .Message(2, spec => { })
            .Message(3, status => status.String(1, ""));

        var decoded = KubernetesProtobuf.DecodeToJson(ProtoWriter.Envelope("v1", "Namespace", ns));

        AssertJson("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a","creationTimestamp":null},"spec":{},"status":{}}""", decoded.Object);
    }

    [Fact]
    public void DecodeToJson_JobAndCronJob()
    {
        Action<ProtoWriter> jobSpec = spec => spec
            .Varint(7, 0)
            .Message(6, tpl => tpl
                .Message(1, ProtoWriter.Meta(""))
                .Message(2, pod => pod
                    .Message(2, c => c.String(1, "pi").String(2, "perl").String(3, "perl").String(3, "-e").String(3, "print 1"))
                    .String(3, "Never")));
        var job = new ProtoWriter().Message(1, ProtoWriter.Meta("pi")).Message(2, jobSpec).Message(3, s => s.Varint(4, 0));
        var cronJob = new ProtoWriter()
            .Message(1, ProtoWriter.Meta("nightly"))
            .Message(2, spec => spec.String(1, "0 3 * * *").String(3, "")
                .Message(5, jt => jt.Message(1, ProtoWriter.Meta("nightly")).Message(2, jobSpec)))
            .Message(3, s => { });

        var decodedJob = KubernetesProtobuf.DecodeToJson(ProtoWriter.Envelope("batch/v1", "Job", job));
        var decodedCronJob = KubernetesProtobuf.DecodeToJson(ProtoWriter.Envelope("batch/v1", "CronJob", cronJob));

        const string expectedJobSpec = """
            {"backoffLimit":0,"template":{"metadata":{"creationTimestamp":null},
              "spec":{"containers":[{"name":"pi","image":"perl","command":["perl","-e","print 1"]}],"restartPolicy":"Never"}}}
            """;
        AssertJson("""{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"pi","creationTimestamp":null},"spec":""" + expectedJobSpec + ""","status":{}}""", decodedJob.Object);
        AssertJson("""
            {"apiVersion":"batch/v1","kind":"CronJob","metadata":{"name":"nightly","creationTimestamp":null},
             "spec":{"schedule":"0 3 * * *","jobTemplate":{"metadata":{"name":"nightly","creationTimestamp":null},"spec":
            """ + expectedJobSpec + """}},"status":{}}""", decodedCronJob.Object);
    }

    [Fact]
    public void DecodeToJson_InlineVolumeSource_MergesIntoVolume()
    {
        var pod = new ProtoWriter()
            .Message(1, ProtoWriter.Meta("p"))
            .Message(2, spec => spec
                .Message(1, v => v.String(1, "config").Message(2, src => src.Message(19, cm => cm.Message(1, r => r.String(1, "settings")).Varint(3, 420))))
                .Message(2, c => c.String(1, "app")));

        var decoded = KubernetesProtobuf.DecodeToJson(ProtoWriter.Envelope("v1", "Pod", pod));

        AssertJson("""[{"name":"config","configMap":{"name":"settings","defaultMode":420}}]""", decoded.Object["spec"]!["volumes"]!);
    }

    [Fact]
    public void DecodeToJson_TimesAndMicroTimes_BecomeRfc3339()
    {
        // 2024-05-06T07:08:09.123456789Z
        var lease = new ProtoWriter()
            .Message(1, ProtoWriter.Meta("holder", "kube-system", m => m.Message(9, t => t.Varint(1, 1714979289).Varint(2, 123456789))))
            .Message(2, spec => spec.String(1, "node-1").Varint(2, 40)
                .Message(3, t => t.Varint(1, 1714979289).Varint(2, 123456789))
                .Message(4, t => t.Varint(1, -62135596800).Varint(2, 0)));

        var decoded = KubernetesProtobuf.DecodeToJson(ProtoWriter.Envelope("coordination.k8s.io/v1", "Lease", lease));

        Assert.Equal("2024-05-06T07:08:09Z", decoded.Object["metadata"]!["deletionTimestamp"]!.GetValue<string>());
        AssertJson("""{"holderIdentity":"node-1","leaseDurationSeconds":40,"acquireTime":"2024-05-06T07:08:09.123456Z","renewTime":null}""", decoded.Object["spec"]!);
    }

    [Fact]
    public void DecodeToJson_UnknownFields_AreSkipped()
    {
        var configMap = new ProtoWriter()
            .Message(1, ProtoWriter.Meta("c"))
            .Varint(99, 7)
            .String(100, "future")
            .Raw(0xA9, 0x06, 1, 2, 3, 4, 5, 6, 7, 8) // field 101, fixed64
            .Raw(0xB5, 0x06, 1, 2, 3, 4) // field 102, fixed32
            .Entry(2, "k", "v");

        var decoded = KubernetesProtobuf.DecodeToJson(ProtoWriter.Envelope("v1", "ConfigMap", configMap));

        AssertJson("""{"k":"v"}""", decoded.Object["data"]!);
    }

    [Fact]
    public void DecodeToJson_DeleteOptions_AcceptedInAnyGroupVersion()
    {
        var options = new ProtoWriter().Varint(1, 0).Message(2, p => { }).String(4, "Foreground").String(5, "All");

        var decoded = KubernetesProtobuf.DecodeToJson(ProtoWriter.Envelope("apps/v1", "DeleteOptions", options));

        AssertJson("""{"apiVersion":"apps/v1","kind":"DeleteOptions","gracePeriodSeconds":0,"propagationPolicy":"Foreground","preconditions":{},"dryRun":["All"]}""", decoded.Object);
    }

    [Fact]
    public void DecodeToJson_WithoutMagic_Throws()
    {
        var body = "{\"kind\":\"Pod\"}"u8.ToArray();

        var e = Assert.Throws<ProtobufFormatException>(() => KubernetesProtobuf.DecodeToJson(body));
        Assert.Contains("prefix", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeToJson_UnknownKind_Throws()
    {
        var body = ProtoWriter.Envelope("example.com/v1", "Widget", new ProtoWriter());

        var e = Assert.Throws<ProtobufFormatException>(() => KubernetesProtobuf.DecodeToJson(body));
        Assert.Contains("\"Widget\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeToJson_MissingKind_Throws() =>
        Assert.Throws<ProtobufFormatException>(() => KubernetesProtobuf.DecodeToJson(ProtoWriter.Envelope("v1", "", new ProtoWriter())));

    [Fact]
    public void DecodeToJson_TruncatedVarint_Throws()
    {
        var body = ProtoWriter.Envelope("v1", "ConfigMap", new ProtoWriter().Raw(0x08, 0x80, 0x80));

        Assert.Throws<ProtobufFormatException>(() => KubernetesProtobuf.DecodeToJson(body));
    }

    [Fact]
    public void DecodeToJson_OverlongVarint_Throws()
    {
        var body = ProtoWriter.Envelope("v1", "ConfigMap", new ProtoWriter().Raw(0x20, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F));

        Assert.Throws<ProtobufFormatException>(() => KubernetesProtobuf.DecodeToJson(body));
    }

    [Fact]
    public void DecodeToJson_LengthPastEnd_Throws()
    {
        var body = ProtoWriter.Envelope("v1", "ConfigMap", new ProtoWriter().Raw(0x0A, 0x7F, 0x0A, 0x01));

        var e = Assert.Throws<ProtobufFormatException>(() => KubernetesProtobuf.DecodeToJson(body));
        Assert.Contains("past the end", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeToJson_WrongWireType_Throws()
    {
        // metadata (1) as a varint instead of a message.
        var body = ProtoWriter.Envelope("v1", "ConfigMap", new ProtoWriter().Varint(1, 5));

        var e = Assert.Throws<ProtobufFormatException>(() => KubernetesProtobuf.DecodeToJson(body));
        Assert.Contains("metadata", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeToJson_GroupWireType_Throws() =>
        Assert.Throws<ProtobufFormatException>(() => KubernetesProtobuf.DecodeToJson(ProtoWriter.Envelope("v1", "ConfigMap", new ProtoWriter().Raw(0x2B))));

    [Fact]
    public void DecodeToJson_NestingBeyondLimit_Throws()
    {
        // ControllerRevision.data is a RawExtension that may hold another envelope: nest them past the limit.
        var body = ProtoWriter.Envelope("apps/v1", "ControllerRevision", new ProtoWriter().Varint(3, 1));
        for (var i = 0; i < ProtoJsonDecoder.MaxDepth; i++)
        {
            var outer = body;
            body = ProtoWriter.Envelope("apps/v1", "ControllerRevision", new ProtoWriter().Message(2, raw => raw.Bytes(1, outer)));
        }

        var e = Assert.Throws<ProtobufFormatException>(() => KubernetesProtobuf.DecodeToJson(body));
        Assert.Contains("nesting", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeToJson_NestedEnvelopeWithinLimit_Decodes()
    {
        var inner = ProtoWriter.Envelope("apps/v1", "ControllerRevision", new ProtoWriter().Varint(3, 1));
        var body = ProtoWriter.Envelope("apps/v1", "ControllerRevision", new ProtoWriter().Message(2, raw => raw.Bytes(1, inner)).Varint(3, 2));

        var decoded = KubernetesProtobuf.DecodeToJson(body);

        AssertJson("""{"apiVersion":"apps/v1","kind":"ControllerRevision","data":{"apiVersion":"apps/v1","kind":"ControllerRevision","revision":1},"revision":2}""", decoded.Object);
    }

    [Fact]
    public void DecodeToJson_CorruptedBodies_FailOnlyWithFormatException()
    {
        var valid = ProtoWriter.Envelope("v1", "Service", new ProtoWriter()
            .Message(1, ProtoWriter.Meta("web", "default", m => m.Entry(11, "a", "b")))
            .Message(2, spec => spec.Message(1, p => p.Varint(3, 80).Message(4, t => t.Varint(2, 80))).Entry(2, "app", "web")));
        var random = new Random(1234);

        for (var i = 0; i < 5000; i++)
        {
            var body = valid.ToArray();
            if (i % 2 == 0)
            {
                body = body[..random.Next(4, body.Length)];
            }
            else
            {
                body[random.Next(4, body.Length)] = (byte)random.Next(256);
            }

            try
            {
                KubernetesProtobuf.DecodeToJson(body);
            }
            catch (ProtobufFormatException)
            {
                // Expected for most corruptions; anything else escapes and fails the test.
            }
        }
    }
}
