import Foundation
import Testing

@testable import VismaAPI

@Suite struct RatePacerTests {
    private func answer(remaining: Int, reset: Int) -> HTTPResponse {
        HTTPResponse(
            status: 201, headers: ["x-ratelimit-remaining": String(remaining), "x-ratelimit-reset": String(reset)],
            body: Data())
    }

    @Test func anAnswerThatArrivesLateCannotWidenTheWindow() async {
        let pacer = RatePacer()
        for _ in 0..<3 { await pacer.admit() }
        // Three requests in flight; the newest answer (2 left) overtakes an older one (4 left).
        await pacer.observe(answer(remaining: 2, reset: 600))
        await pacer.observe(answer(remaining: 4, reset: 600))
        #expect(await pacer.room == 1)  // 2 left, 1 still in flight
        await pacer.observe(answer(remaining: 3, reset: 600))
        #expect(await pacer.room == 2)
    }

    @Test func anAnswerFromTheNextWindowStartsTheCountAfresh() async {
        let pacer = RatePacer()
        await pacer.admit()
        await pacer.observe(answer(remaining: 0, reset: 1))
        #expect(await pacer.room == 0)
        await pacer.admit()  // waits for the reset, then goes
        await pacer.observe(answer(remaining: 149, reset: 15))
        #expect(await pacer.room == 149)
    }
}
