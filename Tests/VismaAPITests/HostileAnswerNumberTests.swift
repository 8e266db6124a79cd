import FlexyVismaCore
import Foundation
import Testing
import VismaAPI

/// Numbers a lying server sends in headers and page metadata are bounded: no trap, no endless sleep, no endless paging.
@Suite struct HostileAnswerNumberTests {
    @Test(arguments: ["nan", "inf", "-inf", "-1", "1e300", "1764500000", "", "soon"])
    func aWaitThatCannotBeTrueIsNotBelieved(text: String) {
        #expect(AnswerNumbers.seconds(text) == nil)
    }

    @Test func aWaitWithinTheHourIsBelieved() {
        #expect(AnswerNumbers.seconds("0") == 0)
        #expect(AnswerNumbers.seconds("3600") == 3600)
        #expect(AnswerNumbers.seconds("2.5") == 2.5)
    }

    @Test func countsThatCannotBeTrueAreNotUsed() {
        for value in [Double.nan, .infinity, -1, 1e300, 2.5] { #expect(AnswerNumbers.count(value) == nil) }
        #expect(AnswerNumbers.count(1000) == 1000)
    }

    @Test func hostileRateHeadersLeaveThePacerAsItWas() async {
        let pacer = RatePacer()
        await pacer.admit()
        let hostile = HTTPResponse(
            status: 200, headers: ["x-ratelimit-remaining": "-1", "x-ratelimit-reset": "inf"], body: Data())
        await pacer.observe(hostile)
        #expect(await pacer.room == nil)
        await pacer.blockUntilReset(after: .nan)
        await pacer.blockUntilReset(after: .infinity)
        await pacer.admit()  // neither blocked it: an unbelievable wait is no wait at all
        #expect(await pacer.room == nil)
    }

    @Test func aListThatNeverEndsIsReadAtMostTheMaximumPagesAndRefusedAsTemporary() async throws {
        var pages = 0
        await #expect {
            _ = try await VismaReader.collectPages(pageSize: 1) { page, size -> VismaReader.Page<Int> in
                pages += 1
                // An absurd total and a cap that keeps the pages at one element: without a bound this never ends.
                return VismaReader.Page(elements: [page], totalCount: Int.max, maxPageSize: 1)
            }
        } throws: { error in
            (error as? VismaClientError)?.exitStatus == .temporaryFailure
        }
        #expect(pages == AnswerNumbers.maximumPages)
    }
}
