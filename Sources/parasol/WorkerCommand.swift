import ArgumentParser
import Foundation
import ParasolClient
import ParasolConfig
import ParasolJobs

/// `parasol worker`: runs one of the built-in jobs against the cluster.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Run a training job (or the counter check) against the cluster.")

    enum Job: String, ExpressibleByArgument, CaseIterable {
        case fashionMNIST = "fashion-mnist"
        case counter
        case sparseLR = "sparse-lr"
    }

    @OptionGroup var cluster: ClusterOption

    @Option(help: "The job: \(Job.allCases.map(\.rawValue).joined(separator: ", ")).")
    var job: Job

    @Option(help: "This worker's rank in 0..<workers (training jobs split data by rank).")
    var rank: Int = 0
    @Option(help: "Number of workers of the job.")
    var workers: Int = 1
    @Option(help: "Epochs over this worker's share of the data.")
    var epochs: Int?
    @Option(help: "Minibatch size.")
    var batchSize: Int?
    @Option(help: "Fashion-MNIST: train on at most this many examples of the share (quick runs).")
    var trainLimit: Int?
    @Option(help: "Fashion-MNIST: evaluate on at most this many test examples.")
    var testLimit: Int?
    @Option(help: "Training jobs: steps per progress line.")
    var progressInterval: Int?
    @Option(help: "Fashion-MNIST: folder holding the gzip'ed IDX files.")
    var dataDir: String = FashionMNIST.defaultDirectory
    @Option(help: "Fashion-MNIST: exit with status 3 if the test accuracy ends below this.")
    var targetAccuracy: Double?
    @Option(help: "Fashion-MNIST: prefix of the model's tensor names (separate models per prefix).")
    var model: String = "mlp"

    @Option(help: "Counter: number of +1 pushes (0 only reads the counter).")
    var count: Int = 1000
    @Option(help: "Counter: pushes in flight at once.")
    var inFlight: Int = 64

    @Option(help: "Seconds one call (retries included) may take before it fails.")
    var deadline: Double = 30

    @Flag(help: "Print the result as one JSON object on stdout (progress goes to stderr).")
    var json = false
    @Option(help: "Also write the JSON result to this file.")
    var jsonFile: String?

    func run() async throws {
        let config = try cluster.load()
        let client = ParasolClient(config: config, options: ClientOptions(callDeadlineSeconds: deadline))
        let progressToStderr = json
        let progress: TrainingProgressHandler = { step in
            let line = String(
                format: "rank %d epoch %d step %d loss %.4f %.0f examples/s", step.rank, step.epoch, step.step, step.loss,
                step.examplesPerSecond)
            if progressToStderr {
                StandardError.line(line)
            } else {
                print(line)
                fflush(nil)
            }
        }
        do {
            switch job {
            case .counter:
                let report = try await CounterJob(count: count, inFlight: inFlight).run(store: client)
                try emit(report, human: "acknowledged \(report.acknowledged) of \(report.requested) pushes (\(report.failed) failed); counter = \(Int(report.value))")
                if report.failed > 0 { throw ExitCode(1) }
            case .fashionMNIST:
                var options = FashionMNISTJob.Options(rank: rank, workers: workers, dataDirectory: dataDir, tensorPrefix: model, progress: progress)
                if let epochs { options.epochs = epochs }
                if let batchSize { options.batchSize = batchSize }
                if let progressInterval { options.progressIntervalSteps = progressInterval }
                options.trainingExamplesLimit = trainLimit
                options.testExamplesLimit = testLimit
                let report = try await FashionMNISTJob(options: options).run(store: client)
                try emit(report, human: String(
                    format: "test accuracy %.4f after %d epoch(s); %.0f examples/s", report.testAccuracy, report.epochs, report.examplesPerSecond))
                if let targetAccuracy, report.testAccuracy < targetAccuracy {
                    StandardError.line("test accuracy \(report.testAccuracy) is below the target \(targetAccuracy)")
                    throw ExitCode(3)
                }
            case .sparseLR:
                var options = SparseLogisticRegressionJob.Options(rank: rank, workers: workers, progress: progress)
                if let progressInterval { options.progressIntervalSteps = progressInterval }
                if let epochs { options.epochs = epochs }
                if let batchSize { options.batchSize = batchSize }
                let report = try await SparseLogisticRegressionJob(options: options).run(store: client)
                try emit(report, human: String(
                    format: "test log-loss %.4f (from %.4f; best possible %.4f), accuracy %.4f", report.testLogLoss,
                    report.initialTestLogLoss, report.optimalTestLogLoss, report.testAccuracy))
            }
        } catch let exit as ExitCode {
            await client.close()
            throw exit
        } catch {
            await client.close()
            StandardError.line("worker failed: \(error)")
            throw ExitCode(1)
        }
        await client.close()
    }

    /// Prints the human line, or one JSON object with snake_case keys; optionally also to a file.
    private func emit(_ report: some Encodable, human: String) throws {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(report)
        if json {
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(human)
        }
        if let jsonFile {
            try data.write(to: URL(fileURLWithPath: jsonFile))
        }
    }
}
