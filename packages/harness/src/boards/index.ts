/**
 * The board layer.
 *
 *   loadBoard(name, { dir? }): Board          boards/<name>/board.json; unknown names list the boards there are
 *   listBoards(dir?): string[]                board names, sorted
 *   DEFAULT_BOARD = 'host'
 *   board.target(): TargetSpec                for compileModel(g, { target })
 *   board.build(projectDir, opts?)            make with the board's compiler; BuildError with the first compiler errors
 *   board.run?(projectDir, input, output, { executable, memcheck? })   host boards only
 *   board.flash?(image) / board.openTransport?()                        hardware boards: stubs that say they need the board
 */
export { loadBoard, listBoards, boardsDir, parseBoardSpec, parseSize, DEFAULT_BOARD } from './load.js';
export { BuildError } from './board.js';
export type * from './types.js';
